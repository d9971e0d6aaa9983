# Quiet hours, the core: the window/zone/next_allowed arithmetic (cmocka) and the
# generated NANP zone table compared with the python3-phonenumbers package it comes from.
th_unit_test(test_quiet SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_quiet.c)

# The table test runs with the system interpreter, for which Debian installs
# python3-phonenumbers (a pyenv/venv python3 first on PATH may lack it); without the
# package it exits 77 and ctest reports it skipped, not passed.
add_executable(quiet_tz_dump ${CMAKE_CURRENT_SOURCE_DIR}/quiet/quiet_tz_dump.c $<TARGET_OBJECTS:th_core>)
target_link_libraries(quiet_tz_dump PRIVATE th_core ${CMAKE_DL_LIBS})
if(EXISTS /usr/bin/python3)
  set(th_system_python /usr/bin/python3)
else()
  set(th_system_python ${Python3_EXECUTABLE})
endif()
add_test(NAME quiet_tz_table COMMAND ${th_system_python} ${CMAKE_CURRENT_SOURCE_DIR}/quiet/test_quiet_tz.py)
set_tests_properties(quiet_tz_table PROPERTIES LABELS unit SKIP_RETURN_CODE 77 TIMEOUT 120
  ENVIRONMENT "${TH_TEST_ENV};TH_QUIET_TZ_DUMP=$<TARGET_FILE:quiet_tz_dump>")

# The UTC-offset table (host/quiet_zones.inc) against the installed tzdata it is generated from
# (fails after a tzdata update until scripts/gen-quiet-zones.py is run again, on purpose), and
# quiet.c's wall clocks against Python's zoneinfo around every change of 2020-2059 in every zone
# (tests/quiet/test_quiet_zones.py; windows_suites runs it against the Windows build under Wine).
add_test(NAME quiet_zones_table COMMAND ${th_system_python} ${CMAKE_CURRENT_SOURCE_DIR}/quiet/test_quiet_zones.py)
set_tests_properties(quiet_zones_table PROPERTIES LABELS unit TIMEOUT 300
  ENVIRONMENT "${TH_TEST_ENV};TH_QUIET_TZ_DUMP=$<TARGET_FILE:quiet_tz_dump>")
