# Direct tests of the executable's security-relevant core modules: log redaction
# (log.c) and strict UTF-8 (utf8.c), plus the libFuzzer target for log_redact.
th_unit_test(test_log SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_log.c)
th_unit_test(test_utf8 SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_utf8.c)
th_fuzz_target(fuzz_log_redact SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_log_redact.c)
# The growable buffer with its size cap and secret mode (buf.c).
th_unit_test(test_buf SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_buf.c)
# The one timestamp parser and formatter (iso8601.c).
th_unit_test(test_iso8601 SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_iso8601.c)
# Outside text for notes and terminals, and the marker line match (notetext.c), with its
# libFuzzer target.
th_unit_test(test_notetext SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_notetext.c)
th_fuzz_target(fuzz_notetext SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_notetext.c)
