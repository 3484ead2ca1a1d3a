"""Builds large ledgers for the benchmarks: N items under findings of 5, categories of 250 findings."""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import STATUSES, Category, Finding, Inspection, Item, Measure, db

DEPARTMENTS = ["办公室", "人事股", "财务股", "计划基建股", "基础教育股", "纪检监察室", "政策法规股", "安全股"]


def make_large_ledger(path: Path, n_items: int = 10_000, seed: int = 1) -> Path:
    rnd = random.Random(seed)
    feedback = dt.date.today() - dt.timedelta(days=150)
    ledger = Ledger.create(path)
    try:
        with db.atomic():
            insp = Inspection.create(title="性能测试台账", inspected_unit="某县某局", feedback_date=feedback)
            per_finding, per_category = 5, 250
            n_findings = (n_items + per_finding - 1) // per_finding
            cat_id = None
            items, measures_per_item = [], 2
            item_no = 0
            for f in range(n_findings):
                if f % per_category == 0:
                    cat_id = Category.create(
                        inspection=insp,
                        position=f // per_category,
                        title=f"第{f // per_category + 1}个方面：落实主体责任不够到位",
                    ).id
                fid = Finding.create(
                    inspection=insp,
                    category=cat_id,
                    number=f + 1,
                    position=f % per_category,
                    title=f"问题{f + 1}：制度执行不严格，监督检查流于形式",
                ).id
                for i in range(min(per_finding, n_items - item_no)):
                    item_no += 1
                    status = rnd.choice(STATUSES)
                    items.append(
                        {
                            "finding": fid,
                            "number": i + 1,
                            "position": i,
                            "title": f"细化问题{item_no}：台账资料不完整，部分事项未按规定程序报批",
                            "department": rnd.choice(DEPARTMENTS),
                            "leader": "张局长",
                            "person": "李明",
                            "status": status,
                            "deadline_date": feedback + dt.timedelta(days=rnd.randint(0, 300)),
                            "completed_date": feedback + dt.timedelta(days=30) if status == "已完成" else None,
                            "progress": "已召开专题会议研究部署，正在按计划推进。",
                        }
                    )
            for i in range(0, len(items), 500):
                Item.insert_many(items[i : i + 500]).execute()
            item_ids = [r[0] for r in Item.select(Item.id).tuples()]
            rows = [
                {"item": iid, "position": p, "text": f"整改措施{p + 1}：建立健全制度，加强监督检查"}
                for iid in item_ids
                for p in range(measures_per_item)
            ]
            for i in range(0, len(rows), 500):
                Measure.insert_many(rows[i : i + 500]).execute()
    finally:
        ledger.close()
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    make_large_ledger(out, n)
    print(out)
