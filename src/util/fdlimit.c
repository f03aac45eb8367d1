/* fdlimit.c - see fdlimit.h. */
#include "fdlimit.h"

#include <errno.h>
#include <glib.h>
#include <string.h>
#include <sys/resource.h>

#include "log.h"

static uint64_t from_rlim(rlim_t v) { return v == RLIM_INFINITY ? FDLIMIT_INFINITE : (uint64_t)v; }

uint64_t fdlimit_target(uint64_t soft, uint64_t hard)
{
	uint64_t want = hard == FDLIMIT_INFINITE ? FDLIMIT_CAP : hard;
	return want > soft ? want : soft;
}

uint64_t fdlimit_raise(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		log_msg(LOG_WARN, "main", "open files: cannot read the limit: %s", g_strerror(errno));
		return 0;
	}
	uint64_t soft = from_rlim(rl.rlim_cur), hard = from_rlim(rl.rlim_max);
	uint64_t want = fdlimit_target(soft, hard);
	if (want == soft) {
		log_msg(LOG_INFO, "main", "open files: limit %" G_GUINT64_FORMAT " (the hard limit)",
			soft);
		return soft;
	}
	rl.rlim_cur = (rlim_t)want;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		log_msg(LOG_WARN, "main",
			"open files: limit %" G_GUINT64_FORMAT ", raising it to %" G_GUINT64_FORMAT
			" failed: %s", soft, want, g_strerror(errno));
		return soft;
	}
	log_msg(LOG_INFO, "main",
		"open files: limit raised from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
		" (the hard limit)", soft, want);
	return want;
}
