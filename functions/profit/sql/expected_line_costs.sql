-- validate-profit: each sales line of $day with its cost recomputed straight from fact_purchases,
-- independently of the profit stage (a window per product instead of the stage's rolled state).
-- Tables: fact_purchases, fact_sales_all, dim_products, dim_uoms (views over the lake) and
-- tax_multipliers(tax_id, multiplier) registered by the caller. $reference_per_unit: Odoo 19 factors.
WITH events AS (
    SELECT date, product_id, move_id, line_id, actual_price, tax_id, uom_id AS line_uom_id
    FROM fact_purchases
    WHERE date <= $day AND actual_price > 0 AND quantity > 0 AND product_id IS NOT NULL
),
ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY product_id
            ORDER BY date DESC, move_id DESC NULLS LAST, line_id DESC NULLS LAST
        ) AS rank_in_product
    FROM events
),
costs AS (
    SELECT
        r.product_id,
        r.date AS cost_date,
        r.actual_price * coalesce(m.multiplier, 1.0) * CASE
            WHEN r.line_uom_id IS NOT NULL AND p.uom_id IS NOT NULL AND r.line_uom_id <> p.uom_id
                AND lu.factor > 0 AND pu.factor > 0
                AND (lu.category_id IS NULL OR pu.category_id IS NULL OR lu.category_id = pu.category_id)
            THEN CASE WHEN $reference_per_unit THEN pu.factor / lu.factor ELSE lu.factor / pu.factor END
            ELSE 1.0
        END AS unit_cost_tax_in
    FROM ranked AS r
    LEFT JOIN tax_multipliers AS m ON m.tax_id = r.tax_id
    LEFT JOIN dim_products AS p ON p.product_id = r.product_id
    LEFT JOIN dim_uoms AS lu ON lu.uom_id = r.line_uom_id
    LEFT JOIN dim_uoms AS pu ON pu.uom_id = p.uom_id
    WHERE r.rank_in_product = 1
)
SELECT
    s.source,
    s.doc_id,
    s.line_id,
    s.product_id AS expected_product_id,
    s.quantity AS expected_quantity,
    s.revenue_tax_in AS expected_revenue_tax_in,
    c.cost_date AS expected_cost_date,
    c.unit_cost_tax_in AS expected_unit_cost
FROM fact_sales_all AS s
LEFT JOIN costs AS c ON c.product_id = s.product_id
WHERE s.date = $day
