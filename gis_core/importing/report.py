"""What an import did: counts, and every row that was rejected (with the reason) or
repaired, which the user downloads as a CSV file to fix and import again."""
from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field
from pathlib import Path

REJECTED, REPAIRED = "rejected", "repaired"


@dataclass
class RowIssue:
    row: int           # the row number the user sees (feature number; spreadsheet row)
    key: str           # the row's source key (or ID number for people)
    status: str        # REJECTED or REPAIRED
    reason: str
    values: dict[str, str] = field(default_factory=dict)  # the row as read, to fix and re-import


@dataclass
class ImportReport:
    layer: str
    file: str
    dry_run: bool
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    crs: str = ""
    offset: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # further counts (houses created, …)
    issues: list[RowIssue] = field(default_factory=list)
    issues_file: str = ""  # where the CSV of issues was written, if it was

    @property
    def rejected(self) -> int:
        return sum(1 for i in self.issues if i.status == REJECTED)

    @property
    def repaired(self) -> int:
        return sum(1 for i in self.issues if i.status == REPAIRED)

    def reject(self, row: int, key: str, reason: str, values: dict[str, str] | None = None) -> None:
        self.issues.append(RowIssue(int(row), key, REJECTED, reason, values or {}))

    def as_dict(self, *, issues_limit: int = 1000) -> dict:
        """For the API and the page: counts and the first ``issues_limit`` issues."""
        issues = sorted(self.issues, key=lambda i: (i.row, i.status))
        return {
            "layer": self.layer, "file": self.file, "dry_run": self.dry_run, "total": self.total,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "rejected": self.rejected, "repaired": self.repaired, "counts": self.counts,
            "crs": self.crs, "offset": self.offset,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "issues": [{k: v for k, v in asdict(i).items() if k != "values"} for i in issues[:issues_limit]],
        }

    def issues_write(self, path: Path) -> Path:
        """The issues as CSV (UTF-8 with BOM, which Excel opens as UTF-8): row, key, status,
        reason, then the row's own columns."""
        issues = sorted(self.issues, key=lambda i: (i.row, i.status))
        columns: list[str] = []
        for issue in issues:
            columns += [c for c in issue.values if c not in columns]
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(["row", "key", "status", "reason", *columns])
            for issue in issues:
                writer.writerow([issue.row, issue.key, issue.status, issue.reason,
                                 *(issue.values.get(c, "") for c in columns)])
        self.issues_file = str(path)
        return path
