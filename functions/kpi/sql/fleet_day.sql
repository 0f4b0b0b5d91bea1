-- fleet_kpi_daily for day :day, inside the day's transaction. Parameters: day, day_start, day_end, now.
-- Each vehicle event of the day is one row of `events` (a dispatch, a delivery, a scan); the org_id
-- is the one of the shipment the event belongs to.

DELETE FROM fleet_kpi_daily WHERE data_date = :day;

INSERT INTO fleet_kpi_daily (
  data_date, org_id, vehicle_id, shipments_dispatched, shipments_delivered, shipments_failed,
  on_time_delivered, on_time_rate, avg_delivery_minutes, distance_km, scan_events, updated_at
)
SELECT
  :day,
  events.org_id,
  events.vehicle_id,
  SUM(events.dispatched),
  SUM(events.delivered),
  COUNT(DISTINCT events.failed_shipment_id),
  SUM(events.on_time),
  ROUND(SUM(events.on_time) * 1.000000 / NULLIF(SUM(events.delivered), 0), 6),
  ROUND(AVG(events.delivery_minutes), 2),
  COALESCE(SUM(events.distance_km), 0),
  SUM(events.scans),
  :now
FROM (
  SELECT s.org_id, s.vehicle_id,
         1 AS dispatched, 0 AS delivered, NULL AS failed_shipment_id, 0 AS on_time,
         NULL AS delivery_minutes, NULL AS distance_km, 0 AS scans
  FROM shipments s
  WHERE s.dispatched_at >= :day_start AND s.dispatched_at < :day_end
  UNION ALL
  SELECT s.org_id, s.vehicle_id,
         0, 1, NULL,
         CASE WHEN s.promised_at IS NULL OR s.delivered_at <= s.promised_at THEN 1 ELSE 0 END,
         CASE WHEN s.dispatched_at IS NOT NULL
              THEN (UNIX_TIMESTAMP(s.delivered_at) - UNIX_TIMESTAMP(s.dispatched_at)) / 60.0 END,
         s.distance_km,
         0
  FROM shipments s
  WHERE s.status = 'delivered' AND s.delivered_at >= :day_start AND s.delivered_at < :day_end
  UNION ALL
  SELECT s.org_id, e.vehicle_id,
         0, 0,
         CASE WHEN e.event_type = 'failed' THEN e.shipment_id END,
         0, NULL, NULL,
         1
  FROM scan_event e
  JOIN shipments s ON s.id = e.shipment_id
  WHERE e.scanned_at >= :day_start AND e.scanned_at < :day_end
) events
GROUP BY events.org_id, events.vehicle_id;
