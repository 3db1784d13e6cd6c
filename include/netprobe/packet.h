/* packet.h - the decoded view of one captured frame: every layer the decoder understood. */
#ifndef NETPROBE_PACKET_H
#define NETPROBE_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One captured frame as a source hands it over. `data` holds `caplen` bytes of a frame that
 * was `len` bytes on the wire (libpcap keeps the two apart; so do we). */
/* Interface names by index, as the capture's network namespace had them when the capture
 * opened (a live `any` capture: SLL2 frames carry only the index). Bounded; an interface made
 * later is shown by its index. */
#define NP_IFNAMES_MAX 256
struct np_ifnames {
	unsigned n;
	struct {
		uint32_t index;
		char name[16]; /* IF_NAMESIZE */
	} e[NP_IFNAMES_MAX];
};

/* The name of interface `index`, or NULL (no table, e.g. a capture file, or not in it). */
static inline const char *np_ifname(const struct np_ifnames *t, uint32_t index)
{
	for (unsigned i = 0; t && i < t->n; i++)
		if (t->e[i].index == index)
			return t->e[i].name;
	return NULL;
}

/* A Linux cooked frame's direction, in tcpdump's words (print-sll.c): "In" (to this host),
 * "B" (broadcast), "M" (multicast), "P" (to another host, promiscuous), "Out" (sent by it). */
static inline const char *np_sll_dir(uint16_t pkttype)
{
	static const char *const names[] = { "In", "B", "M", "P", "Out" };
	return pkttype < 5 ? names[pkttype] : "?";
}

/* The interface a pcapng file says a frame came in on (its Interface Description Block): a
 * file may mix link types and snapshot lengths, interface by interface. */
struct np_frame_if {
	uint32_t id;      /* its number in the section (the EPB's interface ID) */
	int dlt;          /* its link type, as libpcap numbers them (DLT_*) */
	uint32_t snaplen; /* 0: no limit */
	const char *name; /* if_name, or NULL */
	bool several;     /* the file has more than one interface: lines name each frame's */
};

/* pcapng's epb_flags direction bits (RFC draft-ietf-opsawg-pcapng, 4.3.1) */
#define NP_DIR_UNKNOWN 0
#define NP_DIR_IN 1
#define NP_DIR_OUT 2

/* A pcapng direction in the words tcpdump uses for SLL's ("In", "Out"), "-" when unknown. */
static inline const char *np_frame_dir(uint8_t dir)
{
	return dir == NP_DIR_IN ? "In" : dir == NP_DIR_OUT ? "Out" : "-";
}

struct np_frame {
	uint64_t n;       /* frame number in the source, from 1 (Wireshark's frame.number) */
	int64_t ts_sec;
	uint32_t ts_usec;  /* as in the file: a broken one may hold 1000000 or more */
	uint32_t caplen;
	uint32_t len;
	int dlt;          /* libpcap DLT_* link type */
	const uint8_t *data;
	const struct np_ifnames *ifnames; /* the source's, or NULL */
	/* A pcapng file's frame (netprobe's own reader): its interface, its direction
	 * (epb_flags), and its comments (opt_comment), `ncomments` strings one after the other,
	 * each ended by '\0'. NULL, 0 and 0 for every other source. */
	const struct np_frame_if *iface;
	uint8_t dir;
	uint16_t ncomments;
	const char *comments;
};

/* Timestamps are what the file says: pcapng's are 64-bit counts in units the file picks, so a
 * crafted file gives seconds far past anything real (or below zero). Arithmetic in microseconds
 * clamps seconds to +-2^61 us (about 73,000 years), so that a time, or the difference of two,
 * always fits in int64_t. */
#define NP_TS_MAX_SEC ((INT64_C(1) << 61) / 1000000)
static inline int64_t np_ts_clamp_sec(int64_t sec)
{
	return sec > NP_TS_MAX_SEC ? NP_TS_MAX_SEC : sec < -NP_TS_MAX_SEC ? -NP_TS_MAX_SEC : sec;
}

/* Where decoding of a layer ended, tcpdump-style: truncated (the capture stopped short) is
 * reported apart from invalid (a field contradicts itself) and unsupported (we don't decode it). */
enum np_verdict { NP_OK = 0, NP_TRUNCATED, NP_INVALID, NP_UNSUPPORTED };

enum np_layer {
	NP_L_NONE = 0,
	NP_L_LINK,
	NP_L_ARP,
	NP_L_IP4,
	NP_L_IP6,
	NP_L_TCP,
	NP_L_UDP,
	NP_L_ICMP,
	NP_L_ICMP6,
	NP_L_VXLAN,
	NP_L_GRE,
	NP_L_ERSPAN,
	NP_L_GENEVE,
	NP_L_MPLS,
	NP_L_PPPOE,
	NP_L_GTP,
	NP_L_ARISTA,
	NP_L_TEREDO,
	NP_L_MACSEC,
	/* Application layers: at most one, the last on the stack, riding on the innermost
	 * transport; its fields are in the packet's `app` (np_pkt_app). */
	NP_L_DNS,
	NP_L_HTTP,
	NP_L_TLS,
};
#define NP_L_FIRST_APP NP_L_DNS

/* Checksum verdicts. OFFLOADED: the field holds what checksum offload leaves for the card to
 * finish (TCP/UDP: only the pseudo-header sum, on any link; IPv4 header: 0 on a frame this host
 * sent), so the captured value proves nothing either way. */
enum np_csum {
	NP_CSUM_NOT_CHECKED = 0, /* layer has no checksum, or not reached */
	NP_CSUM_UNVERIFIED,      /* bytes needed for the sum were not captured, or a fragment */
	NP_CSUM_GOOD,
	NP_CSUM_BAD,
	NP_CSUM_OFFLOADED,
	NP_CSUM_ABSENT,          /* UDP over IPv4 with checksum 0: sender chose none (RFC 768) */
};

enum np_link_kind {
	NP_LINK_ETH,
	NP_LINK_SLL,
	NP_LINK_SLL2,
	NP_LINK_NULL,
	NP_LINK_LOOP,
	NP_LINK_RAW,
	NP_LINK_PPP,           /* DLT_PPP, DLT_PPP_SERIAL (ppp.c) */
	NP_LINK_CHDLC,         /* DLT_C_HDLC, Cisco framing in DLT_PPP_SERIAL (ppp.c) */
	NP_LINK_NFLOG,         /* DLT_NFLOG (ppp.c) */
	NP_LINK_WLAN,          /* DLT_IEEE802_11, _RADIO (radiotap), DLT_PPI (wlan.c) */
	NP_LINK_FDDI,          /* DLT_FDDI (wlan.c) */
};

#define NP_MAX_VLAN 4
#define NP_MAX_IP4_OPTS 20
#define NP_MAX_IP6_EXT 8
#define NP_MAX_TCP_OPTS 40
#define NP_MAX_SACK 4
#define NP_MAX_PROBLEMS 8

struct np_vlan {
	uint16_t tpid; /* 0x8100 (802.1Q) or 0x88a8 (802.1ad) */
	uint8_t pcp;
	uint8_t dei;
	uint16_t vid;
};

struct np_link {
	enum np_link_kind kind;
	uint16_t hdr_len;      /* link header bytes including VLAN tags */
	uint8_t src[8];        /* Ethernet source / SLL link-layer address */
	uint8_t dst[8];        /* Ethernet destination */
	uint8_t addr_len;      /* bytes of src (6 for Ethernet) */
	bool has_dst;          /* Ethernet only */
	uint16_t ethertype;    /* protocol of the payload, after VLAN tags */
	uint16_t sll_pkttype;  /* SLL/SLL2: 0 host, 1 broadcast, 2 multicast, 3 other host, 4 outgoing */
	uint16_t sll_hatype;   /* SLL/SLL2: ARPHRD_* */
	uint32_t sll_ifindex;  /* SLL2 only */
	uint32_t family;       /* NULL/LOOP: address family word */
	bool outgoing;         /* sent by the capturing host (SLL "outgoing", loopback) */
	bool loopback;         /* loopback link: every packet was sent by this host */
	uint8_t nvlan;
	struct np_vlan vlan[NP_MAX_VLAN];
	/* ppp.c and wlan.c's link types */
	uint16_t proto;        /* PPP/HDLC protocol; NFLOG hardware protocol; 802.11/FDDI frame control */
	uint8_t addr, ctrl;    /* PPP/HDLC address and control; NFLOG version and hook */
	uint8_t pre;           /* 802.11: 1 radiotap, 2 PPI header in front */
	uint8_t llc;           /* 802.11/FDDI: an LLC/SNAP header was read */
	uint16_t pre_len;      /* radiotap/PPI header bytes; NFLOG resource id */
	uint16_t body;         /* NFLOG payload / 802.11 sequence control */
	uint8_t bssid[6];      /* 802.11 BSS Id */
};

struct np_arp {
	uint16_t got;          /* bytes of the 28-byte Ethernet/IPv4 ARP body captured */
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	uint8_t sha[6], spa[4], tha[6], tpa[4];
};

struct np_ip4_opt {
	uint8_t type;
	uint8_t len;           /* as on the wire (1 for EOL/NOP) */
};

struct np_ipv4 {
	uint16_t got;          /* bytes of the 20-byte fixed header captured */
	uint8_t version;
	uint8_t ihl;           /* header length in 32-bit words */
	uint8_t tos;           /* DSCP (high 6 bits) and ECN (low 2) */
	uint16_t tot_len;
	uint16_t id;
	uint16_t frag;         /* flags (3 high bits) and fragment offset in 8-byte units */
	uint8_t ttl;
	uint8_t proto;
	uint16_t csum;
	uint16_t csum_good;    /* what the checksum should be, when it could be computed */
	enum np_csum csum_status;
	uint8_t src[4], dst[4];
	uint8_t nopts;
	struct np_ip4_opt opts[NP_MAX_IP4_OPTS];
	bool opts_bad;
};

struct np_ip6_ext {
	uint8_t type;          /* 0 hop-by-hop, 43 routing, 44 fragment, 60 destination, 51 AH */
	uint16_t len;          /* bytes */
};

struct np_ipv6 {
	uint16_t got;          /* bytes of the 40-byte fixed header captured */
	uint8_t version;
	uint8_t tclass;
	uint32_t flow;
	uint16_t plen;
	uint8_t nxt;           /* next header of the fixed header */
	uint8_t hlim;
	uint8_t src[16], dst[16];
	uint8_t next_final;    /* upper-layer protocol after the extension headers */
	uint8_t next_ext;
	struct np_ip6_ext ext[NP_MAX_IP6_EXT];
	bool has_frag;
	uint16_t frag_off;     /* in 8-byte units */
	bool frag_more;
	uint32_t frag_id;
	bool has_routing;      /* final destination differs from dst when segments are left */
};

struct np_tcp_opt {
	uint8_t kind;
	uint8_t len;
	uint16_t off;          /* offset of the option in the TCP header */
};

struct np_tcp {
	uint16_t got;          /* bytes of the 20-byte fixed header captured */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t doff;          /* data offset in 32-bit words */
	uint16_t flags;        /* 12 bits as tshark's tcp.flags: reserved(3) AE CWR ECE URG ACK PSH RST SYN FIN */
	uint16_t win;
	uint16_t csum;
	uint16_t csum_good;
	enum np_csum csum_status;
	uint16_t urp;
	uint32_t seg_len;      /* TCP header + data, from the IP length fields */
	uint32_t payload_len;  /* data bytes (tshark's tcp.len) */
	uint8_t nopts;
	struct np_tcp_opt opts[NP_MAX_TCP_OPTS];
	bool opts_bad;         /* an option's length is wrong or runs past the header */
	bool has_mss, has_ws, sack_perm, has_ts;
	uint16_t mss;
	uint8_t ws;
	uint8_t nsack;
	uint32_t sack[NP_MAX_SACK][2];
	uint32_t tsval, tsecr;
};

#define NP_TCP_FIN 0x001
#define NP_TCP_SYN 0x002
#define NP_TCP_RST 0x004
#define NP_TCP_PSH 0x008
#define NP_TCP_ACK 0x010
#define NP_TCP_URG 0x020
#define NP_TCP_ECE 0x040
#define NP_TCP_CWR 0x080
#define NP_TCP_AE  0x100 /* was NS (RFC 3540); AccECN (RFC 9768) */

struct np_udp {
	uint16_t got;          /* bytes of the 8-byte header captured */
	uint16_t sport, dport;
	uint16_t len;
	uint16_t csum;
	uint16_t csum_good;
	enum np_csum csum_status;
	uint32_t payload_len;
};

/* The header quoted inside an ICMP/ICMPv6 error: inner IP and the first bytes of its payload. */
struct np_quote {
	uint8_t ipver;         /* 0: nothing quoted */
	uint16_t ip_got;
	uint8_t src[16], dst[16];
	uint8_t ttl;
	uint8_t proto;
	uint16_t len;          /* IPv4 total length / IPv6 payload length */
	uint16_t id;
	uint16_t l4_got;       /* bytes of the quoted transport header captured (at most 8; TCP 20) */
	uint16_t sport, dport; /* TCP/UDP */
	uint32_t seq;          /* TCP */
	uint32_t ack;          /* TCP, when the whole header is quoted (l4_got 20) */
	uint16_t tcp_flags;    /* TCP: the 12 bits of tcp.flags */
	uint16_t win;          /* TCP */
	uint8_t nexts;         /* IPv6: extension headers walked before the upper layer */
	uint16_t udp_len;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq;
};

struct np_icmp {
	uint16_t got;          /* bytes of the 8-byte header captured */
	uint8_t type, code;
	uint16_t csum;
	uint16_t csum_good;
	enum np_csum csum_status;
	uint16_t id, seq;      /* echo, timestamp, information, address mask */
	bool has_idseq;
	uint8_t gateway[4];    /* redirect */
	uint16_t mtu;          /* fragmentation needed */
	uint8_t pointer;       /* parameter problem */
	uint32_t data_len;
	struct np_quote quote;
};

struct np_icmp6 {
	uint16_t got;          /* bytes of the 8-byte header captured */
	uint8_t type, code;
	uint16_t csum;
	uint16_t csum_good;
	enum np_csum csum_status;
	uint16_t id, seq;      /* echo */
	bool has_idseq;
	uint32_t mtu;          /* packet too big */
	uint32_t pointer;      /* parameter problem */
	bool has_target;       /* neighbour solicitation / advertisement / redirect */
	uint8_t target[16];
	uint8_t na_flags;      /* R 0x80, S 0x40, O 0x20 */
	bool has_lladdr;       /* source/target link-layer address option */
	uint8_t lladdr[6];
	uint32_t data_len;
	struct np_quote quote;
};

/* The tunnels' headers (VXLAN, GRE, ERSPAN, Geneve, MPLS, PPPoE, GTP-U, Arista). */
#include "netprobe/tunnel.h"
#include "netprobe/app.h"

struct np_problem {
	uint8_t layer;         /* enum np_layer */
	uint8_t verdict;       /* enum np_verdict */
	const char *what;      /* static text */
};

/* One decoded layer: its kind and its fields. Only the member named by `kind` is meaningful. */
struct np_pkt_layer {
	uint8_t kind;          /* enum np_layer */
	union {
		struct np_link link;
		struct np_arp arp;
		struct np_ipv4 ip4;
		struct np_ipv6 ip6;
		struct np_tcp tcp;
		struct np_udp udp;
		struct np_icmp icmp;
		struct np_icmp6 icmp6;
		struct np_vxlan vxlan;
		struct np_gre gre;
		struct np_erspan erspan;
		struct np_geneve geneve;
		struct np_mpls mpls;
		struct np_pppoe pppoe;
		struct np_gtp gtp;
		struct np_teredo teredo;
		struct np_macsec macsec;
		struct np_arista arista;
	};
};

/* Layers a packet can hold: link, network, transport, and tunnels that repeat them. */
#define NP_MAX_LAYERS 16
/* Network layers a packet can hold: the outer one and at most three packets encapsulated in
 * each other (VXLAN in GRE in IPIP, say). One more is the problem "tunnels nested too deep". */
#define NP_MAX_NETS 4

/* Bit of a layer kind in np_pkt_mask() (tests and statistics). */
#define NP_HAS(kind) (1u << (kind))
#define NP_HAS_LINK  NP_HAS(NP_L_LINK)
#define NP_HAS_ARP   NP_HAS(NP_L_ARP)
#define NP_HAS_IP4   NP_HAS(NP_L_IP4)
#define NP_HAS_IP6   NP_HAS(NP_L_IP6)
#define NP_HAS_TCP   NP_HAS(NP_L_TCP)
#define NP_HAS_UDP   NP_HAS(NP_L_UDP)
#define NP_HAS_ICMP  NP_HAS(NP_L_ICMP)
#define NP_HAS_ICMP6 NP_HAS(NP_L_ICMP6)

/* --decode-as: a transport port handed to a unit the port would not name (a VXLAN on 8472). */
struct np_cursor;
struct np_packet;
#define NP_DECODE_AS_MAX 16
struct np_decode_as_entry {
	uint8_t proto;         /* 17 UDP, 6 TCP */
	uint16_t port;         /* source or destination */
	void (*decode)(struct np_cursor *c, struct np_packet *p);
};
struct np_decode_as {
	uint8_t n;
	struct np_decode_as_entry e[NP_DECODE_AS_MAX];
};

struct np_packet {
	const struct np_frame *frame;
	const struct np_decode_as *decode_as; /* the overrides np_decode_with was given, or NULL */
	bool truncated;        /* some layer ran past the captured bytes */
	bool hdr_cut;          /* ...and it was a header, not only payload */
	bool malformed;        /* some field contradicts the others */
	uint8_t nproblems;
	struct np_problem problems[NP_MAX_PROBLEMS];
	uint32_t l3_off;       /* frame offset of the network header */
	uint32_t l4_off;       /* frame offset of the transport header */
	uint32_t payload_off;  /* frame offset of the transport payload */
	uint32_t l4_len;       /* transport bytes according to the IP length fields */
	bool l4_fragment;      /* the transport header sits in a first fragment: sums unverifiable */
	uint8_t nets;          /* network layers on the stack (1 + tunnels into a new packet) */
	uint8_t encaps;        /* tunnel and shim layers on the stack (VXLAN, GRE, MPLS...) */
	uint64_t tunnel;       /* the tunnels' identifiers (VNI, GRE key...) mixed: 0 when none */
	/* The layers decoded (even partly), outermost first, like gopacket's DecodingLayerParser:
	 * a fixed array, and only the entries pushed are written (no clearing of the rest). The
	 * indices (plus one; 0: none) name the innermost link, network and transport layers
	 * (those of the innermost frame, in a tunnel), which is what the tracker, the filters,
	 * the probes and the text line ask for. */
	uint8_t nlayers;
	uint8_t link_at, net_at, xport_at;
	struct np_pkt_layer layer[NP_MAX_LAYERS];
	/* The application layer's fields (kept apart from the layers: a DNS message's names
	 * would make every layer of the array 2 KiB). */
	union np_app app;
	struct np_app_pair pair; /* its request or response, when paired (app.h) */
	struct np_pdu pdu;       /* its part in a message spanning segments (app.h) */
};

/* The layer at index+1 `at` if it is of `kind`, else NULL. */
static inline const struct np_pkt_layer *np_pkt_at(const struct np_packet *p, uint8_t at,
						   enum np_layer kind)
{
	return at && p->layer[at - 1].kind == kind ? &p->layer[at - 1] : NULL;
}

/* The innermost link layer, or NULL when the link type is not decoded. */
static inline const struct np_link *np_pkt_link(const struct np_packet *p)
{
	const struct np_pkt_layer *l = np_pkt_at(p, p->link_at, NP_L_LINK);
	return l ? &l->link : NULL;
}

/* The outermost layer when it is a Linux cooked v2 header (which names its interface by
 * index and its direction), or NULL. */
static inline const struct np_link *np_pkt_sll2(const struct np_packet *p)
{
	const struct np_pkt_layer *l0 = p->nlayers ? &p->layer[0] : NULL;
	return l0 && l0->kind == NP_L_LINK && l0->link.kind == NP_LINK_SLL2 && l0->link.hdr_len
		       ? &l0->link
		       : NULL;
}

/* The name of the interface the frame came in on, when known: for an SLL2 frame of a live
 * `any` capture, the name of its index; else the name a pcapng file gave its interface. */
static inline const char *np_pkt_ifname(const struct np_packet *p)
{
	const struct np_link *l = np_pkt_sll2(p);
	const char *name = l ? np_ifname(p->frame->ifnames, l->sll_ifindex) : NULL;
	return name ? name : p->frame->iface ? p->frame->iface->name : NULL;
}

/* The innermost network layer, if it is of that kind. */
static inline const struct np_arp *np_pkt_arp(const struct np_packet *p)
{
	const struct np_pkt_layer *l = np_pkt_at(p, p->net_at, NP_L_ARP);
	return l ? &l->arp : NULL;
}

static inline const struct np_ipv4 *np_pkt_ip4(const struct np_packet *p)
{
	const struct np_pkt_layer *l = np_pkt_at(p, p->net_at, NP_L_IP4);
	return l ? &l->ip4 : NULL;
}

static inline const struct np_ipv6 *np_pkt_ip6(const struct np_packet *p)
{
	const struct np_pkt_layer *l = np_pkt_at(p, p->net_at, NP_L_IP6);
	return l ? &l->ip6 : NULL;
}

/* The innermost transport layer, if it is of that kind. */
static inline const struct np_tcp *np_pkt_tcp(const struct np_packet *p)
{
	const struct np_pkt_layer *l = np_pkt_at(p, p->xport_at, NP_L_TCP);
	return l ? &l->tcp : NULL;
}

static inline const struct np_udp *np_pkt_udp(const struct np_packet *p)
{
	const struct np_pkt_layer *l = np_pkt_at(p, p->xport_at, NP_L_UDP);
	return l ? &l->udp : NULL;
}

static inline const struct np_icmp *np_pkt_icmp(const struct np_packet *p)
{
	const struct np_pkt_layer *l = np_pkt_at(p, p->xport_at, NP_L_ICMP);
	return l ? &l->icmp : NULL;
}

static inline const struct np_icmp6 *np_pkt_icmp6(const struct np_packet *p)
{
	const struct np_pkt_layer *l = np_pkt_at(p, p->xport_at, NP_L_ICMP6);
	return l ? &l->icmp6 : NULL;
}

/* The application layer (DNS, HTTP, TLS): the last layer, when it is one. */
static inline const struct np_pkt_layer *np_pkt_app(const struct np_packet *p)
{
	const struct np_pkt_layer *l = p->nlayers ? &p->layer[p->nlayers - 1] : NULL;
	return l && l->kind >= NP_L_FIRST_APP ? l : NULL;
}

/* NP_HAS() bits of every layer kind on the stack. */
static inline uint32_t np_pkt_mask(const struct np_packet *p)
{
	uint32_t m = 0;
	for (unsigned i = 0; i < p->nlayers; i++)
		m |= NP_HAS(p->layer[i].kind);
	return m;
}

#endif
