-- hardengen sql: --pattern: 1 filters, dialect athena
-- rows: filter_id, period_start (NULL: the total of the filter), matches, first_event_time, last_event_time
WITH filters (i, filter_id, period) AS (
  VALUES (1, 'p1', 300)
),
flagged AS (
  SELECT eventtime AS t, ARRAY[
    -- p1
    ((coalesce(CASE WHEN substr(json_format(json_extract(json_extract(requestparameters, '$'), '$["bucketName"]')), 1, 1) IN ('"', 't', 'f') THEN (json_extract_scalar(json_extract(json_extract(requestparameters, '$'), '$["bucketName"]'), '$') = 'b') ELSE false END, false) AND coalesce(starts_with(element_at(resources, 1).arn, 'arn:'), false) AND coalesce(any_match(resources, r0 -> coalesce(NOT (r0.type = 'AWS::S3::Object'), false)), false) AND coalesce(readonly = 'true', false) AND coalesce((useridentity.sessioncontext.attributes.mfaauthenticated = 'false'), false) AND true AND coalesce(any_match(CASE substr(json_format(json_extract(json_extract(requestparameters, '$'), '$["items"]')), 1, 1) WHEN '[' THEN CAST(json_extract(json_extract(requestparameters, '$'), '$["items"]') AS ARRAY(JSON)) WHEN '{' THEN map_values(CAST(json_extract(json_extract(requestparameters, '$'), '$["items"]') AS MAP(VARCHAR, JSON))) ELSE CAST(ARRAY[] AS ARRAY(JSON)) END, e1 -> coalesce(CASE WHEN regexp_like(json_format(json_extract(coalesce(e1, json_parse('null')), '$["size"]')), '^-?[0-9]') THEN CAST(json_extract(coalesce(e1, json_parse('null')), '$["size"]') AS DOUBLE) > CAST('10' AS DOUBLE) ELSE false END, false)), false)))
  ] AS hits
  FROM "cloudtrail_logs"
),
matched AS (
  SELECT u.i, f.t FROM flagged f CROSS JOIN UNNEST(f.hits) WITH ORDINALITY AS u (hit, i)
  WHERE u.hit
),
totals AS (
  SELECT i, count(*) AS matches, min(coalesce(t, '')) AS first_t, max(coalesce(t, '')) AS last_t
  FROM matched GROUP BY i
),
periods AS (
  SELECT i, p, count(*) AS matches FROM (
    SELECT m.i, floor(CASE WHEN regexp_like(m.t, '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$') THEN to_unixtime(try(from_iso8601_timestamp(m.t))) END / x.period) * x.period AS p
    FROM matched m JOIN filters x ON x.i = m.i
  ) WHERE p IS NOT NULL GROUP BY i, p
)
SELECT filter_id, period_start, matches, first_event_time, last_event_time FROM (
  SELECT x.i, -1 AS p, x.filter_id, CAST(NULL AS VARCHAR) AS period_start,
    coalesce(s.matches, 0) AS matches, nullif(s.first_t, '') AS first_event_time,
    nullif(s.last_t, '') AS last_event_time
  FROM filters x LEFT JOIN totals s ON s.i = x.i
  UNION ALL
  SELECT x.i, y.p, x.filter_id, format_datetime(from_unixtime(y.p, 'UTC'), 'yyyy-MM-dd''T''HH:mm:ss''Z'''), y.matches,
    CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
  FROM periods y JOIN filters x ON x.i = y.i
) q
ORDER BY q.i, q.p
