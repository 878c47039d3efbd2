import django_filters

from grids.models import GridCell


class GridCellFilter(django_filters.FilterSet):
    code_prefix = django_filters.CharFilter(field_name="code", lookup_expr="startswith")

    class Meta:
        model = GridCell
        fields = ["parent", "code"]
