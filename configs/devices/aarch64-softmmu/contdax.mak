# SPDX-License-Identifier: GPL-2.0-or-later
#
# The devices contdax's machines use, for a QEMU configured with
# --without-default-devices: -M virt (which selects its own platform
# devices, ACPI and the UEFI flash), NVDIMMs for nvdimm-dax, and the
# virtio-serial ports the CLI talks to the guest through.  Every command
# line contdax and its qtests build uses -nodefaults.  Without this file
# the default device set builds every other Arm board and every PCI
# device, about 40% of the QEMU build.

CONFIG_ARM_VIRT=y
CONFIG_NVDIMM=y
CONFIG_VIRTIO_SERIAL=y
