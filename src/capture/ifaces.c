/* ifaces.c - the interfaces a live capture can open, as libpcap finds them
 * (pcap_findalldevs(3PCAP)): `watch -D` lists them as `tcpdump -D` does, and an unknown `-i`
 * names them in its error; and their names by index, for the frames of `-i any`. */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "netprobe/capture.h"

/* tcpdump's words and order (tcpdump.c, show_devices_and_exit): the status flags, then the
 * connection status (association, for a wireless device) when libpcap knows it. */
static void flags_text(bpf_u_int32 fl, char *buf, size_t len)
{
	static const struct {
		bpf_u_int32 bit;
		const char *name;
	} names[] = { { PCAP_IF_UP, "Up" },
		      { PCAP_IF_RUNNING, "Running" },
		      { PCAP_IF_LOOPBACK, "Loopback" },
		      { PCAP_IF_WIRELESS, "Wireless" } };
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (fl & names[i].bit)
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? ", " : "",
					      names[i].name);
	if (n == 0)
		n = (size_t)snprintf(buf, len, "none");
	const char *status = NULL;
	switch (fl & PCAP_IF_CONNECTION_STATUS) {
	case PCAP_IF_CONNECTION_STATUS_UNKNOWN:
		status = fl & PCAP_IF_WIRELESS ? "Association status unknown" : NULL;
		break;
	case PCAP_IF_CONNECTION_STATUS_CONNECTED:
		status = fl & PCAP_IF_WIRELESS ? "Associated" : "Connected";
		break;
	case PCAP_IF_CONNECTION_STATUS_DISCONNECTED:
		status = fl & PCAP_IF_WIRELESS ? "Not associated" : "Disconnected";
		break;
	default: /* PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE */
		break;
	}
	if (status && n < len)
		snprintf(buf + n, len - n, ", %s", status);
}

int np_capture_list_devs(FILE *out, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *devs;
	if (pcap_findalldevs(&devs, ebuf) < 0) {
		snprintf(err, errlen, "cannot list the interfaces: %s", ebuf);
		return -1;
	}
	if (!devs) {
		snprintf(err, errlen, "no interface to capture on was found");
		return -1;
	}
	int i = 1;
	for (pcap_if_t *d = devs; d; d = d->next, i++) {
		fprintf(out, "%d.%s", i, d->name);
		if (d->description)
			fprintf(out, " (%s)", d->description);
		if (d->flags) {
			char fl[128];
			flags_text(d->flags, fl, sizeof fl);
			fprintf(out, " [%s]", fl);
		}
		fputc('\n', out);
	}
	pcap_freealldevs(devs);
	return 0;
}

void np_capture_dev_names(char *buf, size_t len)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *devs;
	size_t n = 0;
	buf[0] = '\0';
	if (pcap_findalldevs(&devs, ebuf) < 0)
		return;
	for (pcap_if_t *d = devs; d; d = d->next) {
		size_t need = strlen(d->name) + (n ? 2 : 0);
		if (n + need + 6 >= len) { /* room for ", ..." is kept: the line stays whole */
			snprintf(buf + n, len - n, ", ...");
			break;
		}
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", d->name);
	}
	pcap_freealldevs(devs);
}

struct np_ifnames *np_capture_ifnames_load(void)
{
	struct if_nameindex *all = if_nameindex();
	if (!all)
		return NULL;
	struct np_ifnames *t = calloc(1, sizeof *t);
	for (struct if_nameindex *i = all; t && i->if_index && t->n < NP_IFNAMES_MAX; i++) {
		t->e[t->n].index = i->if_index;
		snprintf(t->e[t->n].name, sizeof t->e[t->n].name, "%s", i->if_name);
		t->n++;
	}
	if_freenameindex(all);
	return t;
}
