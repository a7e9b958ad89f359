"""Pages of API lists: `?limit=&offset=`, at most 100 rows, two queries (count and page)."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination

from lkk.core.params import parse_id


class Pagination(LimitOffsetPagination):
    max_limit = 100

    def get_limit(self, request) -> int:
        value = parse_id(request.query_params.get(self.limit_query_param, ""))
        if value is None:
            return self.default_limit
        return min(value, self.max_limit)

    def get_offset(self, request) -> int:
        raw = request.query_params.get(self.offset_query_param, "")
        value = parse_id(raw)
        # Offsets beyond any table's size are an empty page, never a database overflow.
        return min(value, 10**9) if value is not None else 0
