"""The wall's words in Indonesian and English: each dashboard is rendered in both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pantau.contract.city import CityProfile, DimensionProfile

Language = Literal["id", "en"]


@dataclass(frozen=True)
class Words:
    language: Language
    command_center: str
    open_complaints: str
    received_today: str
    resolved_today: str
    realization: str
    trend: str
    arrivals_per_hour: str
    complaints_and_alerts: str
    active_alerts: str
    alerts_firing: str
    where_and_who: str
    top_categories: str
    top_kelurahan: str
    top_agencies: str
    resolution_p90: str
    resolution_mean: str
    service_levels: str
    overdue_by_dimension: str
    agency_league: str
    on_time_30d: str
    overdue_now: str
    due_24h: str
    breached_today: str
    median_stage: dict[str, str]

    def dimension(self, dimension: DimensionProfile) -> str:
        return dimension.label_id if self.language == "id" else dimension.label_en

    def indicator(self, profile: CityProfile, indicator_key: str) -> str:
        indicator = next(i for i in profile.indicators if i.key == indicator_key)
        return indicator.name_id if self.language == "id" else indicator.name_en


INDONESIAN = Words(
    language="id",
    command_center="Pusat Komando",
    open_complaints="Aduan terbuka",
    received_today="Diterima hari ini",
    resolved_today="Selesai hari ini",
    realization="Realisasi program",
    trend="Perubahan periode",
    arrivals_per_hour="Aduan masuk per jam",
    complaints_and_alerts="Aduan dan peringatan",
    active_alerts="Peringatan aktif",
    alerts_firing="Peringatan menyala",
    where_and_who="Di mana dan oleh siapa",
    top_categories="Kategori teratas (aduan terbuka)",
    top_kelurahan="Kelurahan teratas (aduan terbuka)",
    top_agencies="OPD teratas (aduan terbuka)",
    resolution_p90="Waktu penyelesaian p90 (30 hari)",
    resolution_mean="Rata-rata waktu penyelesaian (30 hari)",
    service_levels="Tenggat layanan",
    overdue_by_dimension="Aduan lewat tenggat per dimensi",
    agency_league="Peringkat OPD: tepat waktu (30 hari)",
    on_time_30d="Tepat waktu 30 hari",
    overdue_now="Lewat tenggat",
    due_24h="Tenggat 24 jam",
    breached_today="Terlewat hari ini",
    median_stage={
        "forwarding": "Median diteruskan",
        "first_action": "Median ditindak",
        "resolution": "Median selesai",
    },
)

ENGLISH = Words(
    language="en",
    command_center="Command Center",
    open_complaints="Open complaints",
    received_today="Received today",
    resolved_today="Resolved today",
    realization="Program realization",
    trend="Change on last period",
    arrivals_per_hour="Complaints arriving per hour",
    complaints_and_alerts="Complaints and alerts",
    active_alerts="Active alerts",
    alerts_firing="Alerts firing",
    where_and_who="Where and by whom",
    top_categories="Top categories (open complaints)",
    top_kelurahan="Top kelurahan (open complaints)",
    top_agencies="Top agencies (open complaints)",
    resolution_p90="Time to resolution p90 (30 days)",
    resolution_mean="Mean time to resolution (30 days)",
    service_levels="Service levels",
    overdue_by_dimension="Complaints overdue by dimension",
    agency_league="Agency league: on time (30 days)",
    on_time_30d="On time, 30 days",
    overdue_now="Overdue",
    due_24h="Due in 24 h",
    breached_today="Missed today",
    median_stage={
        "forwarding": "Median to forward",
        "first_action": "Median to act",
        "resolution": "Median to resolve",
    },
)

LANGUAGES: dict[Language, Words] = {"id": INDONESIAN, "en": ENGLISH}
