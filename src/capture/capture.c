/* capture.c - the source handle's dispatch: every caller goes through the op table. */
#include "netprobe/capture.h"
#include "netprobe/hot.h"

int np_source_set_filter(struct np_source *s, const char *expr, char *err, size_t errlen)
{
	return s->ops->set_filter(s, expr, err, errlen);
}

NP_HOT enum np_next np_source_next(struct np_source *s, struct np_frame *f, char *err, size_t errlen)
{
	return s->ops->next(s, f, err, errlen);
}

bool np_source_idle(struct np_source *s)
{
	return s->ops->idle && s->ops->idle(s);
}

void np_source_stats(struct np_source *s, struct np_source_stats *st)
{
	s->ops->stats(s, st);
}

int np_source_dump_open(struct np_source *s, FILE *fp, const char *name, char *err, size_t errlen)
{
	return s->ops->dump_open(s, fp, name, err, errlen);
}

int np_source_dump(struct np_source *s, const struct np_frame *f)
{
	return s->ops->dump(s, f);
}

void np_source_dump_close(struct np_source *s)
{
	s->ops->dump_close(s);
}

void np_source_close(struct np_source *s)
{
	if (s)
		s->ops->close(s);
}

const struct np_frame_if *np_source_iface(struct np_source *s, unsigned i)
{
	return s->ops->iface ? s->ops->iface(s, i) : NULL;
}
