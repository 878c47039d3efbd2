"""Exports of lists and map layers to GeoJSON, GeoPackage, Shapefile, CSV and XLSX.

``tables.queryset_export`` is the one function: it takes a queryset already scoped to the
user (gis_core.scoping) and filtered like the list, the columns and the geometry, fetches
the rows in chunks from a server-side cursor as plain values (the geometry converted by
PostGIS to what the format needs), masks or records personal data
(gis_core.personal_data) and hands each chunk to the format's writer (formats.py).
``api.py`` has the endpoints, ``lists.py`` what each list exports.
"""
