/*
 * hints — words shown to people in more than one place, spelled once so that
 * README, prompts, fixes and doctor say the same thing.
 * [engine]
 */
#ifndef TH_HINTS_H
#define TH_HINTS_H

/* Where a recruiter creates a TextUs API token (the TextUs web app's menus). */
#define TH_HINT_TEXTUS_TOKEN                                                                       \
    "next.textus.com \xe2\x86\x92 your user icon \xe2\x86\x92 Profile \xe2\x86\x92 API Tokens "    \
    "\xe2\x86\x92 Create Token"

#endif
