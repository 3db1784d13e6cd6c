/* watch_usage.c - `netprobe watch --help`: the text, in the order of the man page's sections.
 * Every option here is in doc/netprobe.1 and completion/netprobe.bash (tests/doc checks). */
#include <stdio.h>

#include "watch.h"

/* The -w part of the usage (a function of its own: the text is long). */
static void watch_usage_files(FILE *out)
{
	fprintf(out,
		"Output file (with -r or -i):\n"
		"  -w, --write FILE    also write the captured frames to FILE (classic pcap, or\n"
		"                      pcapng when FILE ends in .pcapng or with --format);\n"
		"                      'netprobe watch -r FILE' replays them to the same output.\n"
		"                      Written as FILE.partial, renamed to FILE at a clean end;\n"
		"                      '-' writes the capture to stdout (and prints no packets)\n"
		"      --overwrite     let -w replace an existing FILE\n"
		"  -C, --file-size SIZE  a new file when this one would pass SIZE (millions of\n"
		"                      bytes, or with k, M or G: KiB, MiB, GiB)\n"
		"  -G, --rotate-seconds S  a new file every S seconds of packet time, on\n"
		"                      boundaries of the local clock (3600: on the hour)\n"
		"  -W, --file-count N  with -C/-G: keep the last N files, delete older ones this\n"
		"                      run made (a ring); -C/-G name each file FILE (a strftime\n"
		"                      pattern) with _NNNNN before its extension\n"
		"      --post-rotate CMD  run CMD FILE on each completed file (not through a\n"
		"                      shell), e.g. gzip\n"
		"      --write-buffer SIZE  memory between the capture and the -w file (default\n"
		"                      64M; as -C's SIZE): a thread of its own writes it out, and\n"
		"                      live, a frame that does not fit is counted as dropped by\n"
		"                      the -w writer instead of stalling the capture\n"
		"      --format FMT    what -w writes: pcap, or pcapng (an interface block per\n"
		"                      interface, each packet's direction, netprobe's analysis\n"
		"                      notes and events as packet comments, the summary and\n"
		"                      kernel drop counts in the statistics blocks at the end)\n"
		"Live capture:\n"
		"  -B, --buffer-size KIB  kernel capture buffer (default: libpcap's on a terminal,\n"
		"                      32768 when writing to a pipe or file)\n"
		"      --fanout N      N capture-and-decode workers (1-64) sharing the interface\n"
		"                      by conversation (PACKET_FANOUT_HASH); their lines merged,\n"
		"                      one summary adding them up\n"
		"      --fanout-group ID  the fanout group (0-65535; default: made from the pid):\n"
		"                      separately started runs with one ID share the traffic\n"
		"  -h, --help          this help\n"
		"\n"
		"Examples (capture 20 packets of any interface and keep them; read them again):\n"
		"  sudo netprobe watch -i any -c 20 -w first.pcap\n"
		"  netprobe watch -r first.pcap -v\n");
}

static void watch_usage_rest(FILE *out);

void np_watch_usage(FILE *out)
{
	fprintf(out,
		"Usage: netprobe watch [-r FILE | -i IFACE] [options] [BPF expression]\n"
		"\n"
		"Decode packets and print them, one line each (like Wireshark's packet list).\n"
		"\n"
		"Source:\n"
		"  -r, --read FILE     read a pcap or pcapng capture file ('-' for stdin), plain,\n"
		"                      gzip or zstd (found by its first bytes)\n"
		"  -D, --list-interfaces  list the interfaces a live capture can open (as\n"
		"                      tcpdump -D: number, name, description, flags) and exit\n"
		"  -i, --interface IF  capture live on interface IF (needs CAP_NET_RAW). Without\n"
		"                      -r or -i: 'lo' when --port names a port only a loopback\n"
		"                      address listens on, 'any' otherwise; stderr says which\n"
		"                      interface and filter were opened. Repeat -i for several\n"
		"                      interfaces (up to 16): each line names the interface and\n"
		"                      direction, as with any; -w pcapng keeps each one's link\n"
		"                      type (classic pcap: only when they share one)\n"
		"Selection:\n"
		"  -c, --count N       stop after N matching packets\n"
		"      --duration S    stop after S seconds\n"
		"      --port N        only TCP/UDP packets with source or destination port N\n"
		"      --host H        only packets to or from host H (address or name)\n"
		"      --decode-as udp.port=N:UNIT  decode what UDP (or tcp.port=N: TCP) port N\n"
		"                      carries as UNIT, whatever the port table says: udp: vxlan,\n"
		"                      geneve, gtp, teredo, dns; tcp: dns, http, tls (repeatable)\n"
		"  EXPRESSION          a BPF filter in tcpdump syntax, e.g. 'tcp and port 80'\n"
		"                      (--port/--host are matched after decoding, so they also\n"
		"                      see inside VLAN tags; they combine with EXPRESSION by AND)\n"
		"Output:\n"
		"  -v, --verbose       every header field of every layer, with checksum verdicts\n"
		"  -q, --brief         a short line per packet (tcpdump -q): addresses with\n"
		"                      ports, protocol, TCP flags and lengths; fits 80 columns\n"
		"  -x, --hex           hex and ASCII dump of each frame\n"
		"  -A, --ascii         each packet's TCP/UDP payload (or ICMP echo data) as\n"
		"                      text under its line (other bytes as '.', line breaks kept)\n"
		"  -X, --hex-payload   each packet's TCP/UDP payload (or echo data) in hex/ASCII\n"
		"      --payload-max N  bytes of a payload -A and -X show (default 512; 'all');\n"
		"                      with --payload, also the bytes of each JSON payload\n"
		"      --json          one JSON object per line (schema in README.md)\n"
		"      --json=ecs      events and finished conversations as Elastic Common\n"
		"                      Schema documents, one a line, with network.community_id\n"
		"      --community-id-seed N  seed of the Community ID (0-65535; default 0)\n"
		"      --payload ENC   add each packet's TCP/UDP payload to its JSON object,\n"
		"                      as hex, base64 or text\n"
		"      --events        only the conversation events (handshakes, teardowns,\n"
		"                      refusals, resets, unanswered SYNs, analysis notes,\n"
		"                      SYN floods)\n"
		"      --states        also each TCP state change (CLOSED → SYN-SENT ...), with\n"
		"                      --events or between the packet lines (--json has them)\n"
		"      --ladder        draw each TCP conversation as a sequence diagram when it\n"
		"                      ends (or at exit): arrows, flags, relative seq/ack, states\n"
		"      --width N       columns of the ladder (60-200; default: the terminal's, at\n"
		"                      most 86; 86 when not a terminal)\n"
		"  -S, --absolute      raw TCP sequence numbers instead of relative ones\n"
		"      --no-summary    no statistics at the end (text output prints them to stderr)\n"
		"  -t, --time FMT      time column: r relative (default), d delta, e epoch,\n"
		"                      a/ad local time (with date), u/ud UTC (with date)\n"
		"  -n                  numeric addresses (the default; accepted for tcpdump habits)\n"
		"      --color WHEN    auto (default: only on a terminal, not if NO_COLOR is set),\n"
		"                      always or never\n"
		);
	watch_usage_rest(out);
}

/* The second half of --help: tracking, export, the output file, live capture. */
static void watch_usage_rest(FILE *out)
{
	fprintf(out,
		"Tracking:\n"
		"      --max-conv N    conversations tracked at once (default 65536)\n"
		"      --max-half-open N  of which not yet established (default 32768)\n"
		"      --idle-timeout S   forget an idle established conversation after S s (600);\n"
		"                         with --json=ecs/--ipfix, an idle UDP one too\n"
		"      --flood-rate N  SYNs/s to one destination that start a flood alert (200)\n"
		"      --flood-half-open N  ...with at least N handshakes left open (500)\n"
		"      --flood-window S  sliding window of the flood detector, 1-16 s (5)\n"
		"Export:\n"
		"      --ipfix [udp:|tcp:]HOST:PORT  send each conversation as an IPFIX\n"
		"                      biflow record (RFC 7011/5103) to a collector (UDP unless\n"
		"                      tcp:; an IPv6 HOST in brackets), TCP and UDP, with its\n"
		"                      VLAN and tunnel id, as it leaves the table (ends, goes\n"
		"                      idle, makes room, or the capture ends)\n"
		"      --ipfix-active-timeout S  also report a conversation still going every\n"
		"                      S seconds of capture time (1-86400; default 300)\n"
		);
	watch_usage_files(out);
}
