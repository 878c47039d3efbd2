from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gis_core.admin import AreaAdminBase
from grids.models import GridCell
from grids.selectors import cells_with_leaders_and_counts


@admin.register(GridCell)
class GridCellAdmin(AreaAdminBase):
    list_display = ["code", "name", "parent", "leaders", "building_count", "people_count"]
    exclude = ["level"]

    def get_queryset(self, request):
        return cells_with_leaders_and_counts(super().get_queryset(request))

    @admin.display(description=_("grid leaders"))
    def leaders(self, cell):
        return cell.leaders or "-"

    @admin.display(description=_("buildings"), ordering="building_count")
    def building_count(self, cell):
        return cell.building_count

    @admin.display(description=_("residents"), ordering="people_count")
    def people_count(self, cell):
        return cell.people_count
