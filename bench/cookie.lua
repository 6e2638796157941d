-- wrk script: a GET with the logged-in staff session cookie from BENCH_COOKIE.
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
