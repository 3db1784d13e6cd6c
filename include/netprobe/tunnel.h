/* tunnel.h - the decoded fields of the tunnel layers (src/proto/vxlan.c, gre.c, erspan.c,
 * geneve.c, mpls.c, pppoe.c, gtp.c, arista.c), members of packet.h's np_pkt_layer. Included
 * by packet.h; not meant to be included alone. */
#ifndef NETPROBE_TUNNEL_H
#define NETPROBE_TUNNEL_H

#include <stdbool.h>
#include <stdint.h>

struct np_vxlan {
	uint16_t got;          /* bytes of the 8-byte header captured */
	uint16_t flags;        /* the first 16 bits, as tshark's vxlan.flags: I bit 0x0800 */
	uint32_t vni;          /* 24 bits */
};

struct np_gre {
	uint16_t got;          /* bytes of the header (4 to 16) captured */
	uint16_t flags;        /* C R K S s Recur A Flags Ver: the first 16 bits (gre.flags_and_version) */
	uint16_t proto;        /* Ethertype of the payload */
	uint16_t csum;         /* when C: over the GRE header and payload (RFC 2784 s2.5) */
	uint16_t csum_good;
	enum np_csum csum_status;
	uint32_t key;          /* when K (RFC 2890); PPTP (version 1): payload length and call ID */
	uint32_t seq;          /* when S */
	uint32_t ack;          /* PPTP (version 1) when A */
};
#define NP_GRE_C 0x8000
#define NP_GRE_R 0x4000
#define NP_GRE_K 0x2000
#define NP_GRE_S 0x1000
#define NP_GRE_A 0x0080

/* ERSPAN (draft-foschiano-erspan): type I has no header of its own, II 8 bytes, III 12 (+8). */
struct np_erspan {
	uint16_t got;          /* header bytes captured */
	uint8_t type;          /* 1, 2 or 3 (type I has no header) */
	uint8_t version;       /* the version field: 1 in type II, 2 in type III */
	uint16_t vlan;
	uint8_t cos;
	uint8_t en;            /* II: encapsulation type; III: BSO */
	uint8_t t;             /* truncated by the mirror */
	uint16_t session;      /* 10 bits */
	uint32_t index;        /* II: 20-bit port index */
	uint32_t timestamp;    /* III */
	uint16_t sgt;          /* III */
	uint8_t hw_id;         /* III */
	bool has_subheader;    /* III: the O flag, 8 platform bytes follow */
};

#define NP_MAX_GENEVE_OPTS 8
struct np_geneve_opt {
	uint16_t cls;
	uint8_t type;
	uint8_t len;           /* bytes of data after the 4-byte option header */
};

struct np_geneve {
	uint16_t got;          /* bytes of the 8-byte header captured */
	uint8_t version;
	uint8_t opt_len;       /* options, in bytes */
	bool oam, critical;
	uint16_t proto;        /* Ethertype of the payload (0x6558: Ethernet) */
	uint32_t vni;
	uint8_t nopts;         /* options decoded (at most NP_MAX_GENEVE_OPTS shown) */
	uint8_t opts_total;    /* options seen */
	struct np_geneve_opt opts[NP_MAX_GENEVE_OPTS];
};

#define NP_MAX_MPLS 8
struct np_mpls_label {
	uint32_t label;        /* 20 bits */
	uint8_t tc;
	uint8_t s;
	uint8_t ttl;
};

/* An MPLS label stack (RFC 3032): one layer for the whole stack, outermost label first. */
struct np_mpls {
	uint8_t n;
	struct np_mpls_label e[NP_MAX_MPLS];
};

/* PPPoE (RFC 2516): discovery (0x8863) or session (0x8864) header, and the session's PPP
 * protocol field. */
struct np_pppoe {
	uint16_t got;          /* bytes of the 6-byte header captured */
	uint16_t ethertype;
	uint8_t version, type, code;
	uint16_t session;
	uint16_t len;
	bool has_ppp;
	uint16_t ppp_proto;
};

/* GTP-U (3GPP TS 29.281) on UDP port 2152: the tunnel of mobile user traffic. */
struct np_gtp {
	uint16_t got;          /* header bytes captured (8, 12 with the optional fields) */
	uint8_t flags;         /* version (3 bits), PT, E, S, PN */
	uint8_t type;          /* 255: G-PDU, a user packet */
	uint16_t len;          /* bytes after the first 8 */
	uint32_t teid;
	uint16_t seq;          /* when S */
	uint8_t next_ext;      /* when E: the first extension header's type */
	uint8_t nexts;         /* extension headers walked */
};

/* Teredo (RFC 4380) on UDP port 3544: IPv6 in UDP, after optional indications (s5.1.1). */
struct np_teredo {
	bool has_auth, has_origin;
	uint8_t id_len, au_len;    /* authentication: client identifier and value lengths */
	uint8_t nonce[8];
	uint8_t confirm;
	uint16_t orig_port;        /* origin: the client's mapped port and address, de-obfuscated */
	uint8_t orig_addr[4];
};

/* MACsec (IEEE 802.1AE) on Ethertype 0x88e5: the SecTAG; the payload is readable when the
 * frame is integrity-only (E and C clear), otherwise encrypted. */
struct np_macsec {
	uint16_t got;              /* SecTAG bytes captured (8, or 16 with the SCI) */
	uint8_t tci_an;            /* TCI (V, ES, SC, SCB, E, C) and association number */
	uint8_t sl;                /* short length: the payload's bytes when under 48, else 0 */
	uint32_t pn;               /* packet number */
	uint64_t sci;              /* when SC: secure channel identifier */
	uint16_t ethertype;        /* of the readable payload (integrity-only) */
	bool encrypted;            /* E or C set: the payload is ciphertext */
	uint16_t icv_len;          /* the ICV trailer's bytes (16) when it was captured */
};

/* Arista's vendor Ethertype 0xd28b: a timestamp subtype in front of the real Ethertype. */
struct np_arista {
	uint16_t got;          /* header bytes captured */
	uint16_t subtype;      /* 1: timestamp */
	uint16_t version;      /* 0x0010: 64-bit (s, ns); 0x0020: 48-bit (16-bit s, ns) */
	uint32_t sec, nsec;
	uint16_t ethertype;    /* of the payload */
};

#endif
