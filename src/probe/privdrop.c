/* privdrop.c - hold privileges only as long as needed (iputils ping's habit): once the raw
 * socket and the capture handle are open, become an ordinary user and give up every capability
 * (libcap-ng), so that no packet from the network is ever decoded with privileges. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cap-ng.h>

#include "netprobe/probe.h"

bool np_priv_have_raw(void)
{
	return geteuid() == 0 || capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_RAW);
}

bool np_priv_held(void)
{
	if (getuid() == 0 || geteuid() == 0)
		return true;
	capng_get_caps_process();
	return capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE;
}

static int id_from_env(const char *name, unsigned long *out)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return -1;
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || *end || n == 0 || n > 0x7fffffffUL)
		return -1;
	*out = n;
	return 0;
}

/* The capability sets (and the bounding set) libcap-ng holds now, applied to the process. */
static int apply_caps(char *err, size_t errlen)
{
	if (capng_apply(CAPNG_SELECT_BOTH) < 0) {
		snprintf(err, errlen, "cannot drop capabilities");
		return -1;
	}
	return 0;
}

/* No exec can give privileges back (a setuid or setcap'd program). */
static int no_new_privs(char *err, size_t errlen)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
		return -1;
	}
	return 0;
}

int np_priv_drop(char *err, size_t errlen)
{
	/* Capabilities kept by a setcap'd binary go first; root's follow with the uid change. */
	capng_clear(CAPNG_SELECT_BOTH);
	if (getuid() == 0 || geteuid() == 0) {
		unsigned long uid, gid;
		if (id_from_env("SUDO_UID", &uid) < 0 || id_from_env("SUDO_GID", &gid) < 0) {
			const struct passwd *pw = getpwnam("nobody");
			if (!pw) {
				snprintf(err, errlen, "cannot drop privileges: no user 'nobody'");
				return -1;
			}
			uid = pw->pw_uid;
			gid = pw->pw_gid;
		}
		/* capng_change_id: groups, gid, uid, and no capability kept across the change. */
		int rc = capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
		if (rc < 0) {
			snprintf(err, errlen, "cannot drop privileges to uid %lu (capng_change_id %d)", uid, rc);
			return -1;
		}
	} else if (apply_caps(err, errlen) < 0) {
		return -1;
	}
	if (no_new_privs(err, errlen) < 0)
		return -1;
	/* Check rather than trust: a failed drop must not go unnoticed (setuid(2) NOTES). */
	capng_get_caps_process();
	if (geteuid() == 0 || getuid() == 0 || capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
		snprintf(err, errlen, "privileges still held after dropping them");
		return -1;
	}
	return 0;
}

int np_priv_keep_rename_only(char *err, size_t errlen)
{
	/* Root's rename in a directory it does not own (a user's home, mode 0750) takes
	 * CAP_DAC_OVERRIDE, and passing a stop signal on to the worker, which became another
	 * user, takes CAP_KILL (kill(2)); nothing else the renamer does needs a capability. An
	 * ordinary user (a setcap'd binary) renames in its own directories, signals its own
	 * worker, and keeps nothing. */
	capng_get_caps_process();
	bool dac = capng_have_capability(CAPNG_EFFECTIVE, CAP_DAC_OVERRIDE);
	bool can_kill = capng_have_capability(CAPNG_EFFECTIVE, CAP_KILL);
	capng_clear(CAPNG_SELECT_BOTH);
	if (dac)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_DAC_OVERRIDE);
	if (can_kill)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_KILL);
	if (apply_caps(err, errlen) < 0 || no_new_privs(err, errlen) < 0)
		return -1;
	capng_get_caps_process();
	if (capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_RAW) ||
	    capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN) ||
	    capng_have_capability(CAPNG_EFFECTIVE, CAP_SETUID)) {
		snprintf(err, errlen, "capabilities still held after dropping them");
		return -1;
	}
	return 0;
}

void np_priv_describe(char *buf, size_t cap)
{
	char line[256], capeff[64] = "?";
	FILE *f = fopen("/proc/self/status", "r");
	if (f) {
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "CapEff: %63s", capeff) == 1)
				break;
		fclose(f);
	}
	snprintf(buf, cap, "uid=%u gid=%u CapEff=%s", (unsigned)geteuid(), (unsigned)getegid(), capeff);
}
