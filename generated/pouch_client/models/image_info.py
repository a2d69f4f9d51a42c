from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.container_config import ContainerConfig
    from ..models.image_info_root_fs import ImageInfoRootFS


T = TypeVar("T", bound="ImageInfo")


@_dataclass(slots=True)
class ImageInfo:
    """An image: its ID and names, its size, the configuration containers made from it start with, and its layers.

    Attributes:
        id (str | Unset): the image's ID, the digest of its configuration Example:
            sha256:6d5fcfe5ff170471fcc3c8b47631d6d71202a1fd44cf3c147e50c8de21cf0648.
        repo_tags (list[str] | Unset): the image's names with a tag, `name:tag` Example:
            ['registry.hub.docker.com/library/busybox:1.36'].
        repo_digests (list[str] | Unset): the image's names with a digest, `name@sha256:<hex>` (the digest of its
            manifest) Example: ['registry.hub.docker.com/library/busybox@sha256:5eef5ed34e1e1ff0a4ae850395cbf665c4de6b4b83a3
            2a0bc7bcb998e24e7bbb'].
        created_at (str | Unset): when the image was made, as RFC 3339 with nanoseconds Example: 2024-01-01T00:00:00Z.
        created (int | str | Unset): when the image was made (an addition to pouch's contract: Docker's field, which the
            Docker clients read): in a list, seconds since the Unix epoch (Docker's image summary); in an inspect answer,
            the RFC 3339 time, as `CreatedAt` (Docker's image) Example: 1704067200.
        size (int | Unset): the size of the image's layers, compressed, in bytes Example: 1199417.
        config (ContainerConfig | Unset): The configuration of a container that does not depend on the host it runs on.
            In an image, the part its configuration sets (user, environment, entry point, command, working directory,
            labels, stop signal, volumes); a list the image leaves unset (`Cmd`, `Entrypoint`, `Env`, `OnBuild`, `Shell`) is
            `null`, as in pouch's answers.
        architecture (str | Unset): CPU architecture the image is for, in Go's naming Example: amd64.
        os (str | Unset): operating system the image is for Example: linux.
        root_fs (ImageInfoRootFS | Unset): the image's root filesystem, as the layers it is made of
    """

    id: str | Unset = UNSET
    repo_tags: list[str] | Unset = UNSET
    repo_digests: list[str] | Unset = UNSET
    created_at: str | Unset = UNSET
    created: int | str | Unset = UNSET
    size: int | Unset = UNSET
    config: ContainerConfig | Unset = UNSET
    architecture: str | Unset = UNSET
    os: str | Unset = UNSET
    root_fs: ImageInfoRootFS | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        repo_tags: list[str] | Unset = UNSET
        if not isinstance(self.repo_tags, Unset):
            repo_tags = self.repo_tags

        repo_digests: list[str] | Unset = UNSET
        if not isinstance(self.repo_digests, Unset):
            repo_digests = self.repo_digests

        created_at = self.created_at

        created: int | str | Unset
        if isinstance(self.created, Unset):
            created = UNSET
        else:
            created = self.created

        size = self.size

        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

        architecture = self.architecture

        os = self.os

        root_fs: dict[str, Any] | Unset = UNSET
        if not isinstance(self.root_fs, Unset):
            root_fs = self.root_fs.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["Id"] = id
        if repo_tags is not UNSET:
            field_dict["RepoTags"] = repo_tags
        if repo_digests is not UNSET:
            field_dict["RepoDigests"] = repo_digests
        if created_at is not UNSET:
            field_dict["CreatedAt"] = created_at
        if created is not UNSET:
            field_dict["Created"] = created
        if size is not UNSET:
            field_dict["Size"] = size
        if config is not UNSET:
            field_dict["Config"] = config
        if architecture is not UNSET:
            field_dict["Architecture"] = architecture
        if os is not UNSET:
            field_dict["Os"] = os
        if root_fs is not UNSET:
            field_dict["RootFS"] = root_fs

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.container_config import ContainerConfig
        from ..models.image_info_root_fs import ImageInfoRootFS

        d = dict(src_dict)
        id = d.pop("Id", UNSET)

        repo_tags = cast(list[str], d.pop("RepoTags", UNSET))

        repo_digests = cast(list[str], d.pop("RepoDigests", UNSET))

        created_at = d.pop("CreatedAt", UNSET)

        def _parse_created(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        created = _parse_created(d.pop("Created", UNSET))

        size = d.pop("Size", UNSET)

        _config = d.pop("Config", UNSET)
        config: ContainerConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = ContainerConfig.from_dict(_config)

        architecture = d.pop("Architecture", UNSET)

        os = d.pop("Os", UNSET)

        _root_fs = d.pop("RootFS", UNSET)
        root_fs: ImageInfoRootFS | Unset
        if isinstance(_root_fs, Unset):
            root_fs = UNSET
        else:
            root_fs = ImageInfoRootFS.from_dict(_root_fs)

        image_info = cls(
            id=id,
            repo_tags=repo_tags,
            repo_digests=repo_digests,
            created_at=created_at,
            created=created,
            size=size,
            config=config,
            architecture=architecture,
            os=os,
            root_fs=root_fs,
        )

        image_info.additional_properties = d
        return image_info

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
