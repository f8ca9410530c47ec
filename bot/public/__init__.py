"""The public side: a static site of the semáforo per committee, open data (CSV, data dictionary) and calendars of
deadlines (.ics), written from the same data as the chat's summaries; nothing private leaves (docs/design.md,
"The public site")."""
