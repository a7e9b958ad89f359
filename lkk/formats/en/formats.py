# English groups digits with a narrow no-break space too («244 706.9», as SI writes it): the
# reading fields accept a comma as the decimal separator, so «244,706.9» would be misread.
THOUSAND_SEPARATOR = "\u202f"
