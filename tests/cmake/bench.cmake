# Benchmark helpers (scripts/bench.sh builds with -DTH_BENCH=ON): the bare echo
# host that is the spawn floor, and the spawn -> ping driver.
if(TH_BENCH)
  add_executable(bench_echo_host ${CMAKE_CURRENT_SOURCE_DIR}/bench/echo_host.c)
  add_executable(bench_spawn_ping ${CMAKE_CURRENT_SOURCE_DIR}/bench/spawn_ping.c)
endif()

# The latency benchmark (tests/bench/latency/), correctness only, never a time: the
# proxy's delay model and round-trip counting (synthetic logs + the live proxy at
# RTT 40 ms), and one run at RTT 0 through the proxies over HTTPS (one SMS and one
# note per click, the table printed, sane round-trip counts).
add_test(NAME bench_latency_netproxy
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/bench/latency/test_netproxy.py)
set_tests_properties(bench_latency_netproxy PROPERTIES ENVIRONMENT "${TH_TEST_ENV}"
                     LABELS "bench" TIMEOUT 60)
add_test(NAME bench_latency_smoke
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/bench/latency/test_smoke.py
                 $<TARGET_FILE:textus-host>)
set_tests_properties(bench_latency_smoke PROPERTIES ENVIRONMENT "${TH_TEST_ENV}"
                     LABELS "bench" TIMEOUT 300)
