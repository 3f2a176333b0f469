/*
 * run.h: who runs mgate, and the correlation id of one run, which its log
 * lines, its audit entry and the ledger rows it writes all carry.
 */
#ifndef MGATE_RUN_H
#define MGATE_RUN_H

/* A fresh correlation id: 16 hex digits. */
void run_new_id(char out[17]);

/* The user running mgate, with CI context: "alice", "runner (CI,
 * GITHUB_ACTOR=bob)". The caller frees it. */
char *run_who(void);

#endif
