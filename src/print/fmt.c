/* fmt.c - names of protocols, ICMP/ICMPv6 types and codes (Wireshark's wording, from RFC 792,
 * RFC 4443 and RFC 4861), TCP options and flags. Address formatting is in src/core/fmt.c. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "netprobe/hot.h"

const char *np_ip_proto_name(uint8_t proto)
{
	switch (proto) {
	case 0: return "HOPOPT";
	case 1: return "ICMP";
	case 2: return "IGMP";
	case 4: return "IPIP";
	case 6: return "TCP";
	case 17: return "UDP";
	case 41: return "IPv6";
	case 43: return "IPv6-Route";
	case 44: return "IPv6-Frag";
	case 46: return "RSVP";
	case 47: return "GRE";
	case 50: return "ESP";
	case 51: return "AH";
	case 58: return "ICMPv6";
	case 59: return "IPv6-NoNxt";
	case 60: return "IPv6-Opts";
	case 88: return "EIGRP";
	case 89: return "OSPF";
	case 103: return "PIM";
	case 112: return "VRRP";
	case 115: return "L2TP";
	case 132: return "SCTP";
	case 135: return "Mobility";
	case 136: return "UDPLite";
	default: return NULL;
	}
}

const char *np_ethertype_name(uint16_t type)
{
	switch (type) {
	case 0x0800: return "IPv4";
	case 0x0806: return "ARP";
	case 0x86dd: return "IPv6";
	case 0x8100: return "802.1Q";
	case 0x88a8: return "802.1ad";
	case 0x8035: return "RARP";
	case 0x8847: return "MPLS";
	case 0x8848: return "MPLS multicast";
	case 0x8863: return "PPPoE Discovery";
	case 0x8864: return "PPPoE Session";
	case 0x888e: return "EAPOL";
	case 0x88cc: return "LLDP";
	case 0x88e5: return "MACsec";
	case 0x88f7: return "PTP";
	case 0x8809: return "Slow Protocols";
	case 0x9000: return "Loopback";
	default: return NULL;
	}
}

const char *np_icmp_type_name(uint8_t type)
{
	switch (type) {
	case 0: return "Echo (ping) reply";
	case 3: return "Destination unreachable";
	case 4: return "Source quench (flow control)";
	case 5: return "Redirect";
	case 8: return "Echo (ping) request";
	case 9: return "Router advertisement";
	case 10: return "Router solicitation";
	case 11: return "Time-to-live exceeded";
	case 12: return "Parameter problem";
	case 13: return "Timestamp request";
	case 14: return "Timestamp reply";
	case 15: return "Information request";
	case 16: return "Information reply";
	case 17: return "Address mask request";
	case 18: return "Address mask reply";
	default: return NULL;
	}
}

static const char *const unreach4[] = {
	"Network unreachable", "Host unreachable", "Protocol unreachable", "Port unreachable",
	"Fragmentation needed", "Source route failed", "Destination network unknown",
	"Destination host unknown", "Source host isolated", "Network administratively prohibited",
	"Host administratively prohibited", "Network unreachable for TOS",
	"Host unreachable for TOS", "Communication administratively filtered",
	"Host precedence violation", "Precedence cutoff in effect",
};

const char *np_icmp_code_name(uint8_t type, uint8_t code)
{
	switch (type) {
	case 3:
		return code < sizeof unreach4 / sizeof unreach4[0] ? unreach4[code] : NULL;
	case 5:
		switch (code) {
		case 0: return "Redirect for network";
		case 1: return "Redirect for host";
		case 2: return "Redirect for TOS and network";
		case 3: return "Redirect for TOS and host";
		default: return NULL;
		}
	case 11:
		return code == 0 ? "Time to live exceeded in transit"
		       : code == 1 ? "Fragment reassembly time exceeded"
				   : NULL;
	case 12:
		return code == 0 ? "Pointer indicates the error"
		       : code == 1 ? "Required option missing"
		       : code == 2 ? "Bad length"
				   : NULL;
	default:
		return NULL;
	}
}

const char *np_icmp6_type_name(uint8_t type)
{
	switch (type) {
	case 1: return "Destination Unreachable";
	case 2: return "Packet Too Big";
	case 3: return "Time Exceeded";
	case 4: return "Parameter Problem";
	case 128: return "Echo (ping) request";
	case 129: return "Echo (ping) reply";
	case 130: return "Multicast Listener Query";
	case 131: return "Multicast Listener Report";
	case 132: return "Multicast Listener Done";
	case 133: return "Router Solicitation";
	case 134: return "Router Advertisement";
	case 135: return "Neighbor Solicitation";
	case 136: return "Neighbor Advertisement";
	case 137: return "Redirect";
	case 143: return "Multicast Listener Report Message v2";
	default: return NULL;
	}
}

/* RFC 4443 s3.1 and RFC 6550 s20.18 (code 7), worded as tshark 4.0 words them. */
static const char *const unreach6[] = {
	"no route to destination", "Administratively prohibited",
	"Beyond scope of source address", "Address unreachable", "Port unreachable",
	"Source address failed ingress/egress policy", "Reject route to destination",
	"Error in Source Routing Header",
};

const char *np_icmp6_code_name(uint8_t type, uint8_t code)
{
	switch (type) {
	case 1:
		return code < sizeof unreach6 / sizeof unreach6[0] ? unreach6[code] : NULL;
	case 3:
		return code == 0 ? "hop limit exceeded in transit"
		       : code == 1 ? "fragment reassembly time exceeded"
				   : NULL;
	case 4:
		return code == 0 ? "erroneous header field encountered"
		       : code == 1 ? "unrecognized Next Header type encountered"
		       : code == 2 ? "unrecognized IPv6 option encountered"
				   : NULL;
	default:
		return NULL;
	}
}

const char *np_tcp_opt_name(uint8_t kind)
{
	switch (kind) {
	case 0: return "EOL";
	case 1: return "NOP";
	case 2: return "MSS";
	case 3: return "WS";
	case 4: return "SACK_PERM";
	case 5: return "SACK";
	case 8: return "TS";
	case 19: return "MD5";
	case 28: return "UTO";
	case 29: return "TCP-AO";
	case 30: return "MPTCP";
	case 34: return "TFO";
	default: return NULL;
	}
}

const char *np_csum_name(enum np_csum c)
{
	switch (c) {
	case NP_CSUM_GOOD: return "good";
	case NP_CSUM_BAD: return "bad";
	case NP_CSUM_OFFLOADED: return "offloaded";
	case NP_CSUM_UNVERIFIED: return "unverified";
	case NP_CSUM_ABSENT: return "absent";
	case NP_CSUM_NOT_CHECKED: break;
	}
	return "not checked";
}

const char *np_verdict_name(enum np_verdict v)
{
	switch (v) {
	case NP_TRUNCATED: return "truncated";
	case NP_INVALID: return "invalid";
	case NP_UNSUPPORTED: return "unsupported";
	case NP_OK: break;
	}
	return "ok";
}

const char *np_layer_name(enum np_layer l)
{
	/* Each unit names itself (its JSON key). */
	const struct np_unit *u = np_unit_of(l);
	return u ? u->key : "none";
}

/* The one table of TCP flag names, bit 0 (FIN) up. */
static const char tcp_flag_names[][4] = { "FIN", "SYN", "RST", "PSH", "ACK",
					  "URG", "ECE", "CWR", "AE" };
#define N_TCP_FLAGS (sizeof tcp_flag_names / sizeof tcp_flag_names[0])

const char *np_tcp_flag_name(unsigned bit)
{
	return bit < N_TCP_FLAGS ? tcp_flag_names[bit] : NULL;
}

const char *np_side_name(enum np_side s)
{
	return s == NP_CLIENT ? "client" : s == NP_SERVER ? "server" : "both";
}

/* Wireshark's order: from the lowest bit up, then "Reserved" for the three reserved bits. A
 * name that does not fit is left out whole, and so is everything after it. */
NP_HOT void np_sb_tcp_flags(struct np_sbuf *sb, uint16_t flags)
{
	size_t at = sb->len;
	/* Only the bits that are set (every packet line names its flags); bit N_TCP_FLAGS stands
	 * for the three reserved bits. */
	unsigned set = (flags & ((1u << N_TCP_FLAGS) - 1)) | (flags & 0xe00 ? 1u << N_TCP_FLAGS : 0);
	/* Room for every name (8 * 3 + 2 + 8 + 9 separators of 2, a NUL, and the 4-byte stores
	 * below that may run 1 byte past a name): write straight, without a check per name. */
	if (sb->cap - sb->len > 64) {
		char *o = sb->buf + sb->len;
		for (; set; set &= set - 1) {
			unsigned i = (unsigned)__builtin_ctz(set);
			if (o != sb->buf + at) {
				memcpy(o, ", ", 2);
				o += 2;
			}
			if (i == N_TCP_FLAGS) {
				memcpy(o, "Reserved", 8);
				o += 8;
			} else {
				memcpy(o, tcp_flag_names[i], 4);
				o += tcp_flag_names[i][2] ? 3 : 2;
			}
		}
		*o = '\0';
		sb->len = (size_t)(o - sb->buf);
		return;
	}
	for (; set; set &= set - 1) {
		unsigned i = (unsigned)__builtin_ctz(set);
		bool reserved = i == N_TCP_FLAGS;
		const char *name = reserved ? "Reserved" : tcp_flag_names[i];
		size_t n = reserved ? 8 : name[2] ? 3 : 2, sep = sb->len != at ? 2 : 0;
		if (sb->len + sep + n + 1 > sb->cap)
			return;
		if (sep)
			np_sb_lit(sb, ", ");
		np_sb_mem(sb, name, n);
	}
}

size_t np_fmt_tcp_flags(uint16_t flags, char *buf, size_t cap)
{
	struct np_sbuf sb = np_sb_make(buf, cap);
	np_sb_tcp_flags(&sb, flags);
	return sb.len;
}
