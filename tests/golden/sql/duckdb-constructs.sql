-- hardengen sql: --pattern: 3 filters, dialect duckdb
-- rows: filter_id, period_start (NULL: the total of the filter), matches, first_event_time, last_event_time
WITH filters (i, filter_id, period) AS (
  VALUES (1, 'p1', 300),
    (2, 'p2', 300),
    (3, 'p3', 300)
),
docs AS (
  SELECT json AS doc, CAST(json AS VARCHAR) AS doc_text
  FROM read_json_objects(['x.jsonl'], format = 'auto', maximum_object_size = 1073741824)
),
records AS (
  -- JSON lines and array elements as written; {"Records":[...]} files by element
  SELECT doc AS r, doc_text AS src, false AS redone, false AS risky FROM docs
  WHERE json_type(doc) <> 'ARRAY' AND NOT regexp_matches(doc_text, '^\{[ \t\n\r]*"Records"')
  UNION ALL
  SELECT unnest(CASE WHEN json_type(doc) = 'ARRAY' THEN json_extract(doc, '$[*]') WHEN json_type(doc, '$.Records') = 'ARRAY' THEN json_extract(doc, '$.Records[*]') ELSE []::JSON[] END) AS r, NULL AS src, true AS redone,
    regexp_matches(doc_text, '\\[/u]') OR regexp_matches(regexp_replace(doc_text, '"(?:[^"\\]|\\.)*"', '""', 'g'), '-0([^.eE0-9]|$)') AS risky
  FROM docs
  WHERE json_type(doc) = 'ARRAY' OR regexp_matches(doc_text, '^\{[ \t\n\r]*"Records"')
),
events AS (
  SELECT r, json_extract_string(r, '$.eventTime') AS t,
    json_extract(r, ['$."a"', '$."n"', '$."s"', '$."z"', '$."o"']) AS p,
    CASE WHEN NOT redone THEN regexp_replace(src, '("(?:[^"\\]|\\.)*")|[ \t\n\r]+', '\1', 'g')
      WHEN risky OR regexp_matches(regexp_replace(CAST(r AS VARCHAR), '"(?:[^"\\]|\\.)*"', '""', 'g'), '[0-9][.eE]') THEN error('hardengen: a record''s text is needed, but its file escapes ''/'' or characters as \u, or spells numbers in a way SQL does not keep; convert the file to JSON lines as written')
      ELSE CAST(r AS VARCHAR) END AS raw
  FROM records
  WHERE json_type(r) = 'OBJECT'
),
flagged AS (
  SELECT t, [
    -- p1
    (json_type(r) = 'OBJECT' AND (coalesce(len(list_filter(CASE json_type(p[1]) WHEN 'ARRAY' THEN json_extract(p[1], '$[*]') WHEN 'OBJECT' THEN json_extract(p[1], '$.*') ELSE []::JSON[] END, lambda e0: coalesce(CASE WHEN json_type(json_extract(e0, '$."b"')) IN ('VARCHAR', 'BOOLEAN') THEN starts_with(json_extract_string(json_extract(e0, '$."b"'), '$'), 'x') ELSE false END, false))) > 0, false) OR coalesce(CASE WHEN json_type(p[2]) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN CAST(p[2] AS DOUBLE) >= CAST('1500' AS DOUBLE) ELSE false END, false) OR coalesce(CASE WHEN json_type(p[3]) IN ('VARCHAR', 'BOOLEAN') THEN regexp_matches(json_extract_string(p[3], '$'), '(?:\A[\x34-\x35][\x30-\x39][\x30-\x39]\z)') WHEN json_type(p[3]) IN ('BIGINT', 'UBIGINT') THEN regexp_matches(json_extract_string(p[3], '$'), '(?:\A[\x34-\x35][\x30-\x39][\x30-\x39]\z)') WHEN json_type(p[3]) = 'DOUBLE' THEN error('hardengen: filter ''p1'': compares the spelling of a non-integer number, which SQL does not keep') ELSE false END, false) OR coalesce(json_type(p[4]) = 'NULL', false) OR NOT coalesce(len(list_filter(CASE json_type(p[5]) WHEN 'ARRAY' THEN json_extract(p[5], '$[*]') WHEN 'OBJECT' THEN json_extract(p[5], '$.*') ELSE []::JSON[] END, lambda e1: (e1 IS NOT NULL))) > 0, false))),
    -- p2
    ((strpos(raw, 'ERROR') > 0) OR (strpos(raw, 'WARN') > 0)),
    -- p3
    (CASE WHEN regexp_matches(raw, '[^\x00-\x7F]') THEN error('hardengen: filter ''p3'': a regex that can match any byte meets non-ASCII text; bytes and characters differ there, so the count would not be exact') ELSE regexp_matches(raw, '(?:[\x00-\x60\x62-\x7F][\x62])') END)
  ] AS hits
  FROM events
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
    SELECT m.i, floor(CASE WHEN regexp_matches(m.t, '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$') THEN epoch(TRY_CAST(m.t AS TIMESTAMPTZ)) END / x.period) * x.period AS p
    FROM matched m JOIN filters x ON x.i = m.i
  ) WHERE p IS NOT NULL GROUP BY i, p
)
SELECT filter_id, period_start, matches, first_event_time, last_event_time FROM (
  SELECT x.i, -1 AS p, x.filter_id, CAST(NULL AS VARCHAR) AS period_start,
    coalesce(s.matches, 0) AS matches, nullif(s.first_t, '') AS first_event_time,
    nullif(s.last_t, '') AS last_event_time
  FROM filters x LEFT JOIN totals s ON s.i = x.i
  UNION ALL
  SELECT x.i, y.p, x.filter_id, strftime(make_timestamp(CAST(y.p AS BIGINT) * 1000000), '%Y-%m-%dT%H:%M:%SZ'), y.matches,
    CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
  FROM periods y JOIN filters x ON x.i = y.i
) q
ORDER BY q.i, q.p
