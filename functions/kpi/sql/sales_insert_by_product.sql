INSERT INTO sales_kpi_daily_by_product (
  data_date, org_id, product_id, product_name, revenue_tax_in, gross_profit, quantity, `lines`, verified, updated_at,
  provisional, as_of
) VALUES (
  :data_date, :org_id, :product_id, :product_name, :revenue_tax_in, :gross_profit, :quantity, :lines, :verified, :updated_at,
  :provisional, :as_of
);
