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

/*
 * The command line's own words for the two values every command that texts or
 * logs takes (send, conversation): the rules are the verbs' (phone.h:
 * phone_e164_nanp_valid and phone_gh_id_valid), the words are the options'.
 */
#define TH_HINT_CLI_TO "--to must be a US/Canada number written +1NXXNXXXXXX, e.g. +13035550123"
#define TH_HINT_CLI_CANDIDATE                                                                      \
    "--candidate must be a Greenhouse candidate id: 1 to 18 digits, not 0 and no leading 0 (the "  \
    "number after /people/ in the candidate's Greenhouse address)"

#endif
