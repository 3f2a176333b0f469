/*
 * run.c: who runs mgate, and the id that ties one run's log lines, audit
 * entry and ledger rows together (run.h).
 */
#include "util/run.h"

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/banned.h"

void run_new_id(char out[17])
{
	unsigned char r[8];
	int fd = open("/dev/urandom", O_RDONLY);
	size_t i;

	if (fd < 0 || read(fd, r, sizeof(r)) != (ssize_t)sizeof(r)) {
		unsigned long long t = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
		memcpy(r, &t, sizeof(r));
	}
	if (fd >= 0)
		close(fd);
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

char *run_who(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *user = pw && pw->pw_name ? pw->pw_name : getenv("USER");
	const char *actor = getenv("GITHUB_ACTOR"), *ci = getenv("CI");
	buf b = BUF_INIT;

	buf_puts(&b, user ? user : "unknown");
	if ((ci && *ci) || actor) {
		buf_puts(&b, " (CI");
		if (actor)
			buf_printf(&b, ", GITHUB_ACTOR=%s", actor);
		buf_putc(&b, ')');
	}
	return buf_detach(&b);
}
