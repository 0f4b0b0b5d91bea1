INSERT INTO sales_kpi_daily (
  data_date, org_id, revenue_tax_in, cogs_tax_in, gross_profit, quantity, transactions, `lines`,
  gross_margin_pct, avg_basket_tax_in, cost_missing_lines, verified, updated_at, provisional, as_of
) VALUES (
  :data_date, :org_id, :revenue_tax_in, :cogs_tax_in, :gross_profit, :quantity, :transactions, :lines,
  :gross_margin_pct, :avg_basket_tax_in, :cost_missing_lines, :verified, :updated_at, :provisional, :as_of
);
