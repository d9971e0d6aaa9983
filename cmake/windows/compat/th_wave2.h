/*
 * th_wave2.h — forced in front of the Windows build's wave-2 files only (paths.c,
 * protocol.c: cmake/windows/CMakeLists.txt), which still call POSIX directly; each line
 * goes away when its file moves onto host/os.h. Owner-only folders come from
 * os_mkdir_private; lstat is stat (os_stat(..., 0) is the real one); there are no
 * symbolic links to refuse here yet.
 */
#ifndef TH_COMPAT_WAVE2_H
#define TH_COMPAT_WAVE2_H

#include <direct.h>
#include <io.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "os.h"

#define mkdir(path, mode) os_mkdir_private(path)
#define lstat(path, st)   stat(path, st)
#define S_ISLNK(m)        0
/* buf.c (issue O's wiping allocator): the size of a malloc block */
#include <malloc.h>
#define malloc_usable_size(p) _msize(p)

#endif
