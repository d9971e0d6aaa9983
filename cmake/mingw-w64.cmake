# mingw-w64.cmake — CMake toolchain file: cross-compile for Windows x64 on Debian with
# mingw-w64 (apt-get install gcc-mingw-w64-x86-64). Used by scripts/build-windows.sh:
#   cmake -S cmake/windows -B build-win/host -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(TH_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${TH_MINGW_TRIPLE}-gcc)
set(CMAKE_RC_COMPILER ${TH_MINGW_TRIPLE}-windres)
set(CMAKE_AR ${TH_MINGW_TRIPLE}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${TH_MINGW_TRIPLE}-ranlib CACHE FILEPATH "")
# headers and libraries from the mingw sysroot (and TH_WIN_DEPS), programs from the build host
set(CMAKE_FIND_ROOT_PATH /usr/${TH_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# Windows tests run under Wine (tests/windows/); CMake uses this to run a cross-built program
find_program(TH_WINE64 NAMES wine64 PATHS /usr/lib/wine NO_DEFAULT_PATH)
if(TH_WINE64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${TH_WINE64})
endif()
