-- validate-profit: the whole day's aggregate summed again from fact_sales_lines_profit.
SELECT
    coalesce(sum(revenue_tax_ex), 0) AS revenue_tax_ex,
    coalesce(sum(revenue_tax_in), 0) AS revenue_tax_in,
    coalesce(sum(cogs_tax_in), 0) AS cogs_tax_in,
    coalesce(sum(gross_profit), 0) AS gross_profit,
    coalesce(sum(quantity), 0) AS quantity,
    count(DISTINCT (source, doc_id)) AS transactions,
    count(*) AS lines,
    count(*) FILTER (WHERE cost_missing) AS cost_missing_lines
FROM fact_sales_lines_profit
WHERE date = $day
