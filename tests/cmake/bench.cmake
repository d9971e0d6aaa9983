# Benchmark helpers (scripts/bench.sh builds with -DTH_BENCH=ON): the bare echo
# host that is the spawn floor, and the spawn -> ping driver.
if(TH_BENCH)
  add_executable(bench_echo_host ${CMAKE_CURRENT_SOURCE_DIR}/bench/echo_host.c)
  add_executable(bench_spawn_ping ${CMAKE_CURRENT_SOURCE_DIR}/bench/spawn_ping.c)
endif()
