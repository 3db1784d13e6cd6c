/* main.c - the subcommand table; the only place that turns an error into an exit status. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#ifndef NP_VERSION
#define NP_VERSION "0.0.0"
#endif

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "watch", np_cmd_watch, "decode packets from a capture file (-r) or an interface (-i)" },
	{ "follow", np_cmd_follow, "what the applications said: each conversation's bytes, both ways" },
	{ "stats", np_cmd_stats, "tables of a capture: conversations, endpoints, I/O, protocols" },
	{ "ping", np_cmd_ping, "ICMP echo, TCP SYN or UDP probes, with each answer decoded" },
	{ "trace", np_cmd_trace, "the routers on the way to a host, hop by hop" },
};

static void usage(FILE *out)
{
	fprintf(out, "netprobe %s - watch the network at the packet level\n\n"
		     "Usage: netprobe <command> [options]\n\nCommands:\n", NP_VERSION);
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		fprintf(out, "  %-8s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(out, "\nOptions:\n"
		     "  -h, --help     show this help ('netprobe <command> --help' for a command)\n"
		     "  -V, --version  show the version\n\n"
		     "Example (the next 20 packets on any interface; needs CAP_NET_RAW):\n"
		     "  sudo netprobe watch -i any -c 20\n");
}

int main(int argc, char **argv)
{
	/* A reader that closes our pipe (`netprobe watch ... | head`) must not kill us before the
	 * -w file is completed and the summary printed: the write fails with EPIPE instead, and
	 * the loops end cleanly (exit status in netprobe(1), EXIT STATUS). */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		np_errorf(NULL, "no command given (try 'netprobe --help')");
		return NP_EXIT_ERROR;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return NP_EXIT_OK;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		printf("netprobe %s\n", NP_VERSION);
		return NP_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (strcmp(cmd, subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	np_errorf(NULL, "unknown command '%s' (try 'netprobe --help')", cmd);
	return NP_EXIT_ERROR;
}
