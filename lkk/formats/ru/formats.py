# Russian groups digits with a narrow no-break space («244 706,9»), not Django's wide one.
THOUSAND_SEPARATOR = "\u202f"
