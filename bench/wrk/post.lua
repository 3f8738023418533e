-- wrk script for bench/compare.sh: POSTs the body in $BODY with the type in $CONTENT_TYPE to the
-- URL wrk was given, on every request (wrk builds the request once and resends its bytes).
wrk.method = "POST"
wrk.body = os.getenv("BODY") or ""
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE") or "application/json"
