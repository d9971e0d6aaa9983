/*
 * pwd.h for the Windows build's wave-2 files only (paths.c, until it moves onto host/os.h and
 * os_home_dir/os_data_dir): Windows has no password database, so no entry is ever found and
 * paths.c falls back to what it does without a home.
 */
#ifndef TH_COMPAT_PWD_H
#define TH_COMPAT_PWD_H

struct passwd {
    char *pw_dir;
};

static inline int getuid(void)
{
    return 0;
}

static inline int geteuid(void)
{
    return 0;
}

static inline struct passwd *getpwuid(int uid)
{
    (void)uid;
    return 0;
}

#endif
