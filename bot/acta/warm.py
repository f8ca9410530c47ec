"""Imported only by the readers' forkserver: one small acta read there, so that every worker starts with the
libraries' lazy set-up done (dates in Spanish alone take a quarter of a second the first time)."""

from bot.acta.readers import read_acta_text

read_acta_text("Fecha: 25/02/2026\nN°\tACUERDO\tRESPONSABLE\tPLAZO\n01\tCampaña de denuncia\tPNP\t30 de abril")
