INSERT INTO sales_kpi_hourly (
  data_date, org_id, config_id, hour, revenue_tax_in, gross_profit, transactions, `lines`, updated_at,
  provisional, as_of
) VALUES (
  :data_date, :org_id, :config_id, :hour, :revenue_tax_in, :gross_profit, :transactions, :lines, :updated_at,
  :provisional, :as_of
);
