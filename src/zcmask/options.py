"""The one options object shared by the command line, the Python API and the web UI.

Everything a run needs to know is validated here, so a bad value becomes a
:class:`~zcmask.exceptions.BadArgsError` (exit 2) and never a traceback. This
module does not read documents or run OCR.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from zcmask.exceptions import BadArgsError, InvalidConfigError, ShortIdentityError


class Unit(BaseModel):
    """A work unit and the other ways it is written."""

    model_config = ConfigDict(frozen=True)

    name: str
    aliases: tuple[str, ...] = ()

    @field_validator("name")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("单位名称不能为空")
        return v


class Identity(BaseModel):
    """Who the applicant is: the facts every locating step searches for."""

    model_config = ConfigDict(frozen=True)

    name: str
    aliases: tuple[str, ...] = ()
    units: tuple[Unit, ...] = ()

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("姓名不能为空")
        return v

    @property
    def unit_names(self) -> list[str]:
        """Every unit value given, full names first then aliases, without duplicates."""
        out: list[str] = []
        for u in self.units:
            for s in (u.name, *u.aliases):
                if s and s not in out:
                    out.append(s)
        return out

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "aliases": list(self.aliases), "units": self.unit_names}

    @classmethod
    def from_mapping(cls, data: dict[str, object]) -> Identity:
        """Build from a profile mapping (``name``, ``aliases``, ``units``).

        ``units`` may hold plain strings or ``{name, aliases}`` mappings. The
        mapping is checked strictly first (:func:`zcmask._profile.check_profile`):
        a list-style name, a number or a misspelt key is an
        :class:`InvalidConfigError` with a zh-CN message, never silently kept.
        """
        from zcmask._profile import check_profile

        data = check_profile(data)  # type: ignore[assignment]
        units: list[Unit] = []
        raw_units = data.get("units") or []
        if isinstance(raw_units, str):
            raw_units = [raw_units]
        if not isinstance(raw_units, list):
            raise InvalidConfigError("profile 中的 units 应为列表，请对照 README 示例修改。")
        for u in raw_units:
            if isinstance(u, str):
                units.append(Unit(name=u))
            elif isinstance(u, dict):
                units.append(Unit(name=str(u.get("name", "")),
                                  aliases=tuple(str(a) for a in (u.get("aliases") or []))))
            else:
                raise InvalidConfigError("profile 中 units 的每一项应为单位名称或 {name, aliases}。")
        aliases = data.get("aliases") or []
        if isinstance(aliases, str):
            aliases = [aliases]
        return cls(name=str(data.get("name") or ""),
                   aliases=tuple(str(a) for a in aliases),  # type: ignore[union-attr,attr-defined]
                   units=tuple(units))


def load_profile(path: str | Path) -> Identity:
    """Read an applicant profile YAML (``name``, ``aliases``, ``units``).

    A missing or malformed file raises :class:`InvalidConfigError` with a zh-CN
    message. An ``application.yaml`` (with an ``applicant:`` section) is accepted too.
    """
    from zcmask._profile import MAX_YAML_BYTES, load_yaml

    p = Path(path)
    try:
        if p.stat().st_size > MAX_YAML_BYTES:
            raise InvalidConfigError(f"身份信息文件 {p} 过大（上限 1 MB），请检查是否选错了文件。")
        data = load_yaml(p.read_text(encoding="utf-8"), f"身份信息文件 {p}")
    except FileNotFoundError as e:
        raise InvalidConfigError(f"找不到身份信息文件 {p}，请检查路径。") from e
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise InvalidConfigError(f"身份信息文件 {p} 无法解析（须为 UTF-8 编码的 YAML）：{e}") from e
    if isinstance(data, dict) and isinstance(data.get("applicant"), dict):
        data = data["applicant"]
    if not isinstance(data, dict) or not data.get("name"):
        raise InvalidConfigError(f"身份信息文件 {p} 缺少 name（申报人姓名），请补充后重试。")
    try:
        return Identity.from_mapping(data)
    except InvalidConfigError as e:
        raise InvalidConfigError(f"身份信息文件 {p} 内容有误：{e.message}") from None
    except ValidationError as e:
        raise InvalidConfigError(f"身份信息文件 {p} 内容有误：{_first_error(e)}") from e


def _first_error(e: ValidationError) -> str:
    err = e.errors()[0]
    where = ".".join(str(x) for x in err.get("loc", ()))
    return f"{where}: {err.get('msg', '')}"


#: Fewest characters (separators and spaces not counted) a searched text may have.
MIN_IDENTITY_CHARS = 2
_IDENTITY_SEPARATORS = frozenset(" \t·•・‧.．-—－_")


def _core_length(text: str) -> int:
    return sum(1 for c in text if c not in _IDENTITY_SEPARATORS and not c.isspace())


def identity_problem(identity: Identity | None) -> str | None:
    """Why ``identity`` cannot be matched safely, in zh-CN; None when it can.

    A one-character name (``王``), a single Latin letter (``a``) or a
    one-character unit matches nearly every page: the masking would look like a
    success while the real name or unit stays visible, or black out half the page.
    """
    if identity is None:
        return None
    hint = "请填写完整的姓名/单位名称；确实如此时请加 --allow-short-identity（此时务必逐页人工核对）。"
    if _core_length(identity.name) < MIN_IDENTITY_CHARS:
        return f"姓名“{identity.name}”只有 1 个字符，无法可靠识别与遮盖。{hint}"
    for a in identity.aliases:
        if _core_length(a) < MIN_IDENTITY_CHARS:
            return f"姓名的其他写法“{a}”过短（少于 {MIN_IDENTITY_CHARS} 个字符），无法可靠识别与遮盖。{hint}"
    for u in identity.unit_names:
        if _core_length(u) < MIN_IDENTITY_CHARS:
            return f"单位“{u}”过短（少于 {MIN_IDENTITY_CHARS} 个字符），无法可靠识别与遮盖。{hint}"
    return None


def require_safe_identity(identity: Identity | None, allow_short: bool = False) -> None:
    """Raise :class:`ShortIdentityError` (exit 2) unless ``identity`` can be matched safely."""
    problem = None if allow_short else identity_problem(identity)
    if problem:
        raise ShortIdentityError(problem)


SealMode = Literal["applicant", "all", "none"]


class Options(BaseModel):
    """Options of a zcmask run, validated once and shared by CLI, API and web UI.

    Parameters
    ----------
    identity : Identity or None
        The applicant. Required by ``mask``; optional for ``check``.
    dpi : int
        Resolution PDF pages are rendered at.
    jobs : int
        Worker processes over pages (1 = in process).
    seals : {"applicant", "all", "none"}
        Which seals to mask: the applicant's unit and name seals (default), all, or none.

    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    identity: Identity | None = None
    dpi: int = Field(200, ge=72, le=600)
    jobs: int = Field(1, ge=1, le=64)
    seals: SealMode = "applicant"
    eyes: bool = True
    pad: float = Field(0.12, ge=0.0, le=2.0, description="padding around a text match, in line heights")
    jpeg_quality: int = Field(92, ge=90, le=100)
    max_pixels: int = Field(120_000_000, ge=1_000_000)
    max_file_mb: float = Field(10.0, gt=0)
    min_side_px: int = Field(600, ge=1)
    max_side_px: int = Field(12000, ge=100)
    write_pdf: bool = False
    fix_outdir: Path | None = None
    flatten: bool = False  # find the sheet, correct perspective, light and skew (check --fix, mask --flatten)
    detect_orientation: bool = True
    ocr_engine: Literal["rapidocr", "fake"] = "rapidocr"
    cache: bool = True
    cache_dir: Path | None = None  # --cache DIR: where page analyses are kept (zcmask._analysis_cache)
    cache_lookup: tuple[Path, ...] = ()  # analysis caches only read: an earlier mask run's, found by zcmask
    progress: bool = True
    allow_short_identity: bool = False

    @classmethod
    def build(cls, **kwargs: object) -> Options:
        """Validate keyword options, turning errors into a usage error (exit 2).

        An identity too short to match safely is refused here too
        (:func:`identity_problem`), unless ``allow_short_identity`` is set.
        """
        try:
            opts = cls(**kwargs)  # type: ignore[arg-type]
        except ValidationError as e:
            raise BadArgsError(f"参数有误：{_first_error(e)}") from e
        require_safe_identity(opts.identity, opts.allow_short_identity)
        return opts
