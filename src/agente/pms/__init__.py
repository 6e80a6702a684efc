"""The hotel's PMS: one port, its adapters, and the resilience around them."""

from agente.pms.errors import (
    BookingNotFoundError,
    CircuitOpenError,
    PmsConfigurationError,
    PmsError,
    PmsRejectedError,
    PmsTimeoutError,
    PmsUnavailableError,
    RoomsNotAvailableError,
)
from agente.pms.port import PmsClient
from agente.pms.types import (
    Availability,
    Booking,
    BookingChange,
    BookingRequest,
    BookingStatus,
    Fee,
    GuestDetails,
    HotelInfo,
    PmsHealth,
    RoomOffer,
    RoomType,
    StayQuery,
)

__all__ = [
    "Availability",
    "Booking",
    "BookingChange",
    "BookingNotFoundError",
    "BookingRequest",
    "BookingStatus",
    "CircuitOpenError",
    "Fee",
    "GuestDetails",
    "HotelInfo",
    "PmsClient",
    "PmsConfigurationError",
    "PmsError",
    "PmsHealth",
    "PmsRejectedError",
    "PmsTimeoutError",
    "PmsUnavailableError",
    "RoomOffer",
    "RoomType",
    "RoomsNotAvailableError",
    "StayQuery",
]
