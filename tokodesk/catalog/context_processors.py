"""The low-stock count on the nav ("Stok menipis 3"): counted only when a page shows it
(one COUNT over the stock rows), for users who may read stock."""

from django.utils.functional import SimpleLazyObject


def low_stock(request):
    def count():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.has_perm("catalog.view_stock"):
            return 0
        from tokodesk.catalog.selectors import low_stock_count

        return low_stock_count()

    return {"low_stock_count": SimpleLazyObject(count)}
