# Phone extraction: the profile corpus through the handler (cmocka) and
# through the real binary (one port + the extract CLI), the Greenhouse fallback
# through a fake engine, the extractor fuzz target, and the benchmark program
# (only with -DTH_BENCH=ON; scripts/bench.sh).
th_unit_test(test_phone SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_phone.c)

add_test(NAME extract_phone COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/phone/test_extract.py)
set_tests_properties(extract_phone PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS protocol TIMEOUT 120)
if(VALGRIND AND NOT TH_SANITIZE AND NOT TH_FUZZ)
  add_test(NAME extract_phone_valgrind COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/phone/test_extract.py)
  set_tests_properties(extract_phone_valgrind PROPERTIES LABELS "protocol;valgrind" TIMEOUT 300
    ENVIRONMENT "${TH_TEST_ENV};TH_WRAPPER=${VALGRIND} -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-fds=no")
endif()

# The Greenhouse fallback through a fake engine module, both in their own directory so that
# engine.c (which looks next to the executable) finds the fake and nothing else does.
set(th_phone_fb_dir ${CMAKE_CURRENT_BINARY_DIR}/handler_extract_phone)
th_unit_test(test_handler_extract_phone
             SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_handler_extract_phone.c)
set_target_properties(test_handler_extract_phone PROPERTIES ENABLE_EXPORTS ON
                      RUNTIME_OUTPUT_DIRECTORY ${th_phone_fb_dir})
add_library(th_fake_gh_engine MODULE ${CMAKE_CURRENT_SOURCE_DIR}/unit/fake_gh_engine.c)
target_include_directories(th_fake_gh_engine PRIVATE ${PROJECT_SOURCE_DIR}/host)
target_link_libraries(th_fake_gh_engine PRIVATE PkgConfig::CJSON)
if(APPLE)
  target_link_options(th_fake_gh_engine PRIVATE -undefined dynamic_lookup)
endif()
# engine.c loads textus-host-engine.so on every platform
set_target_properties(th_fake_gh_engine PROPERTIES PREFIX "" OUTPUT_NAME textus-host-engine
                      SUFFIX .so LIBRARY_OUTPUT_DIRECTORY ${th_phone_fb_dir})
add_dependencies(test_handler_extract_phone th_fake_gh_engine)

th_fuzz_target(fuzz_extract SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_extract.c)

option(TH_BENCH "Build the benchmark programs (scripts/bench.sh)" OFF)
if(TH_BENCH)
  add_executable(bench_extract ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench_extract.c $<TARGET_OBJECTS:th_core>)
  target_link_libraries(bench_extract PRIVATE th_core ${CMAKE_DL_LIBS})
endif()
