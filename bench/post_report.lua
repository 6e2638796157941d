-- wrk script: submit the report form with a session cookie and its CSRF token.
-- BENCH_COOKIE and BENCH_BODY are set by bench/run.py.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

function response(status, headers, body)
  if status ~= 200 and status ~= 201 and status ~= 303 and status ~= 302 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
end
