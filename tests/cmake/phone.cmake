# Phone extraction (issue C): the profile corpus through the handler (cmocka) and
# through the real binary (one port + the extract CLI), the extractor fuzz target,
# and the benchmark program (only with -DTH_BENCH=ON; scripts/bench.sh).
th_unit_test(test_phone SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_phone.c)

add_test(NAME extract_phone COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/phone/test_extract.py)
set_tests_properties(extract_phone PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS protocol TIMEOUT 120)

th_fuzz_target(fuzz_extract SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_extract.c)

option(TH_BENCH "Build the benchmark programs (scripts/bench.sh)" OFF)
if(TH_BENCH)
  add_executable(bench_extract ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench_extract.c $<TARGET_OBJECTS:th_core>)
  target_link_libraries(bench_extract PRIVATE th_core ${CMAKE_DL_LIBS})
endif()
