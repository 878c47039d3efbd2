from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tiles.search import places_search


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_title = serializers.CharField()
    id = serializers.IntegerField()
    label = serializers.CharField()
    detail = serializers.CharField()
    bbox = serializers.ListField(child=serializers.FloatField(), min_length=4, max_length=4)


class SearchView(APIView):
    """Places by name, address or code within your areas, for the map's search box."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("q", str, description="at least two characters")],
                   responses=SearchResultSerializer(many=True))
    def get(self, request):
        return Response(places_search(user=request.user, query=request.query_params.get("q", "")))
