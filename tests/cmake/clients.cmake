# API clients: http, TextUs, Greenhouse v1/v3 against the Python fakes
# (tests/fakes; TH_FAKES_DIR overrides its location), and the response-parser fuzz target.
# Each client's unit test is tests/unit/test_<module>.c, with the harness that starts the fakes
# (tests/unit/fakes_harness.c, seeded with tests/unit/fakes_seed.json).
set(TH_CLIENTS_HARNESS ${CMAKE_CURRENT_SOURCE_DIR}/unit/fakes_harness.c)
foreach(t test_http test_textus test_greenhouse)
  th_unit_test(${t} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/${t}.c ${TH_CLIENTS_HARNESS} ENGINE)
  set_tests_properties(${t} PROPERTIES LABELS "unit;clients" TIMEOUT 120)
endforeach()
th_fuzz_target(fuzz_responses SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_responses.c ENGINE)
