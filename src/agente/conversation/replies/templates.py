"""Every sentence the agent can say, per language. Values in braces are filled by
:func:`agente.conversation.replies.render.render`; money and dates arrive formatted."""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, str]] = {
    "es": {
        "greet": "¡Hola! Soy el asistente virtual de {hotel}. Puedo consultar disponibilidad y precios, "
        "hacer, cambiar o cancelar reservas y resolver dudas del hotel. ¿En qué te ayudo?",
        "thanks": "¡De nada! ¿Te ayudo con algo más?",
        "goodbye": "¡Gracias por escribirnos! Hasta pronto.",
        "out_of_scope": "Solo puedo ayudarte con el hotel: disponibilidad, precios, reservas y dudas sobre "
        "la estancia. ¿Qué necesitas?",
        "clarify": "Perdona, no te he entendido bien. ¿Quieres consultar disponibilidad, hacer o gestionar "
        "una reserva, o tienes una pregunta sobre el hotel?",
        "clarify_dates": "Perdona, no he entendido las fechas. Dime el día de llegada y el de salida (por "
        "ejemplo: del 12 al 15 de diciembre) o la llegada y las noches (el 12 de diciembre, 3 noches).",
        "clarify_check_out": "Perdona, no lo he entendido. Dime el día de salida (por ejemplo: el 15) o cuántas "
        "noches (por ejemplo: 3 noches).",
        "clarify_party": "Perdona, no he entendido cuántos seréis. Dime un número («2») o adultos y niños "
        "(«2 adultos y un niño de 6 años»).",
        "clarify_room": "Perdona, no he entendido qué habitación quieres. Responde con su número (del 1 al "
        "{count}) o su nombre ({names}), o dime «la más barata», «la más grande» o «la de 4 personas».",
        "clarify_yes_no": "Perdona, no te he entendido. Responde «sí» para seguir adelante o «no» para dejarlo.",
        "clarify_modify": "Perdona, no he entendido el cambio de la reserva {reference}. Dime las nuevas fechas "
        "(por ejemplo: del 12 al 15 de diciembre) o el nuevo número de personas (por ejemplo: 3 adultos).",
        "ask_dates": "¿Para qué fechas? Dime el día de llegada y el de salida (por ejemplo: del 12 al 15 de "
        "diciembre).",
        "ask_check_out": "Llegada el {check_in}. ¿Hasta qué día, o cuántas noches?",
        "ask_check_in": "Salida el {check_out}. ¿Qué día llegas?",
        "ask_party": "¿Cuántas personas seréis (adultos y niños)?",
        "dates_in_past": "Lo siento, esas fechas ya han pasado: el {day} es anterior a hoy. ¿Para qué fechas "
        "quieres venir?",
        "no_such_day": "Ojo: el {day} no existe en el calendario.",
        "reversed_stay": "La salida que me dices es anterior a la llegada. ¿Quieres decir {stay}?",
        "too_long": "Puedo buscar estancias de hasta {max_nights} noches por aquí; para estancias más largas "
        "te paso con recepción.",
        "quote_header": "Disponibilidad {stay}, {party}:",
        "quote_header_stale": "No puedo consultar el sistema de reservas ahora mismo. Estos son los últimos "
        "precios que conozco ({stay}, {party}) y quedan por confirmar:",
        "quote_line": "{n}. {name}: {nightly} por noche, total {total}",
        "quote_line_fees": "{n}. {name}: {nightly} por noche, {stay_total} la estancia{fees}, total {total}",
        "fee_item": "{fee} {amount}",
        "fees_included": " (incluye {fees})",
        "quote_footer": "¿Cuál prefieres? Responde con el número o el nombre de la habitación.",
        "no_availability": "Lo siento, no hay disponibilidad {stay}, {party}. ¿Probamos otras fechas?",
        "choose_again": "¿Cuál de estas habitaciones prefieres? Responde con el número (del 1 al {count}).",
        "ask_name": "Perfecto, {room}. ¿A nombre de quién hago la reserva?",
        "ask_email": "¿Cuál es tu email?",
        "ask_phone": "¿Y un teléfono de contacto?",
        "invalid_email": "Ese email no parece válido. ¿Me lo escribes de nuevo?",
        "invalid_phone": "Ese teléfono no parece válido. Escríbelo con prefijo, por ejemplo +34 612 345 678.",
        "ask_phone_country": "¿De qué país es el teléfono {phone}? Dime el prefijo (por ejemplo +34) o "
        "escríbelo entero con prefijo.",
        "invalid_name": "Un nombre solo lleva letras, sin números. ¿A nombre de quién hago la reserva?",
        "name_too_long": "Ese nombre es demasiado largo para el sistema de reservas (hasta {max} caracteres "
        "el nombre y {max} los apellidos). ¿Me lo das más corto?",
        "email_too_long": "Ese email es demasiado largo para el sistema de reservas (hasta {max} caracteres). "
        "¿Tienes otro más corto?",
        "confirm_booking": "Resumen: {room}, {stay}, {party}. Total {total}{fees_note}{stale_note}. A nombre de {name} "
        "({email}, {phone}). ¿Confirmo la reserva?",
        "stale_note": " (precio por confirmar)",
        "confirm_yes_no": "¿Confirmo? Responde sí o no.",
        "booked": "¡Reserva confirmada! Tu referencia es {reference}. {room}, {stay}. Total {total}. ¡Te esperamos!",
        "booked_pending": "He registrado tu reserva con la referencia {reference}, pero el sistema del hotel "
        "no responde ahora mismo: la confirmaremos en cuanto vuelva y te avisaremos por aquí.",
        "booking_dropped": "Entendido, no he hecho ninguna reserva. ¿Te ayudo con algo más?",
        "rooms_gone": "Vaya, esa habitación se acaba de ocupar para esas fechas.",
        "booking_refused": "El hotel no ha podido aceptar la reserva: {reason}",
        "ask_reference": "Claro. ¿Me das la referencia de la reserva (empieza por AH) y el email o el "
        "teléfono con el que la hiciste?",
        "ask_reference_only": "Gracias. ¿Y la referencia de la reserva? Empieza por AH.",
        "modify_party_does_not_fit": "{room} no admite {party} por habitación, así que ese cambio no es posible "
        "en tu reserva. ¿Quieres cambiar otra cosa?",
        "ask_verification": "Para comprobar que eres tú, ¿me das el email o el teléfono de la reserva?",
        "verification_failed": "No encuentro una reserva con esos datos. Revisa la referencia y el email o "
        "teléfono, por favor.",
        "status": "Tu reserva {reference}: {room}, {stay}, {party}. Estado: {status}.",
        "status_names": "confirmed=confirmada;pending=pendiente de confirmar;cancelled=cancelada;failed=no confirmada",
        "confirm_cancel": "Tu reserva {reference}: {room}, {stay}. {fee} ¿Seguro que quieres cancelarla?",
        "cancelled": "Hecho: la reserva {reference} está cancelada. {fee}",
        "cancel_fee_free": "Esta reserva no tiene gastos de cancelación: la cancelación es gratuita hasta el "
        "{deadline} ({hours} horas antes de la llegada).",
        "cancel_fee_today": "La cancelación gratuita de esta reserva es hasta hoy a las {time} ({hours} horas "
        "antes de la llegada); después el hotel cobra {charge}.",
        "cancel_fee_due": "Esta reserva tiene gastos de cancelación: la cancelación gratuita terminó el "
        "{deadline} ({hours} horas antes de la llegada), así que el hotel cobra {charge}.",
        "cancel_fee_policy": "La política de cancelación del hotel: {policy} Con ella no puedo saber si esta "
        "reserva tiene gastos; recepción te lo confirma.",
        "cancel_fee_unknown": "El hotel no me ha dado su política de cancelación, así que no puedo decirte si "
        "esta reserva tiene gastos; recepción te lo confirma.",
        "charge_names": "first_night=la primera noche;full_stay=la estancia completa",
        "charge_default": "lo que indique su política",
        "day_at": "{day} a las {time}",
        "cancel_dropped": "De acuerdo, tu reserva {reference} sigue en pie.",
        "already_cancelled": "La reserva {reference} ya estaba cancelada.",
        "modify_what": "¿Qué quieres cambiar de la reserva {reference}: las fechas o el número de personas?",
        "confirm_modify": "El cambio quedaría así: {room}, {stay}, {party}. Nuevo total {total}{fees_note}. "
        "¿Lo confirmo?",
        "modified": "Listo: tu reserva {reference} ahora es {room}, {stay}, {party}. Total {total}.",
        "modify_dropped": "De acuerdo, tu reserva {reference} queda como estaba.",
        "modify_unavailable": "Lo siento, no hay disponibilidad para ese cambio. Tu reserva sigue como estaba. "
        "¿Probamos con otras fechas?",
        "faq_missing_item": "No tengo información sobre {item}. ¿Quieres que te pase con recepción?",
        "faq_missing_in_flow": "No tengo ese dato; recepción te lo puede decir, y te paso con ellos cuando quieras.",
        "faq_missing_item_in_flow": "No tengo información sobre {item}; recepción te lo puede decir, y te paso "
        "con ellos cuando quieras.",
        "item_names": "pool=la piscina;gym=el gimnasio;spa=el spa;sauna=la sauna;jacuzzi=el jacuzzi;"
        "air_conditioning=el aire acondicionado;heating=la calefacción;restaurant=el restaurante;bar=el bar;"
        "room_service=el servicio de habitaciones;laundry=la lavandería;crib=las cunas;towels=las toallas;"
        "hairdryer=el secador;fridge=la nevera o el minibar;safe=la caja fuerte;tv=la televisión;"
        "elevator=el ascensor;balcony=las terrazas o balcones;bathtub=la bañera;accessibility=la accesibilidad;"
        "kettle=la cafetera o el hervidor;bikes=las bicicletas;toiletries=los productos de baño",
        "offer_declined": "De acuerdo. ¿Te ayudo con algo más?",
        "off_topic_weather": "No tengo información del tiempo ni previsiones, lo siento.",
        "off_topic_nearby": "No tengo recomendaciones de sitios de la zona; en recepción te pueden recomendar "
        "cuando llegues.",
        "off_topic_arrange": "Desde aquí no puedo reservar taxis, excursiones, mesas ni entradas; en recepción "
        "te lo pueden gestionar.",
        "can_do": "Lo que sí puedo hacer: consultar disponibilidad y precios, hacer, cambiar o cancelar reservas "
        "y resolver dudas del hotel (desayuno, parking, wifi, horarios…).",
        "total_room": "Total de la estancia con {room} ({stay}, {party}): {total}{stale_note}.",
        "total_header": "Total de la estancia ({stay}, {party}) según la habitación:",
        "total_line": "{n}. {name}: {total}",
        "total_booking": "El total de tu reserva {reference} es {total}.",
        "total_unknown": "Te digo el total en cuanto sepa las fechas y cuántas personas seréis.",
        "modify_ask_dates": "¿Cuáles son las nuevas fechas de llegada y salida?",
        "modify_ask_party": "¿Cuántas personas seréis ahora (adultos y niños)?",
        "faq_missing": "No tengo ese dato. ¿Quieres que te pase con recepción?",
        "resume": "Seguimos con tu reserva: {question}",
        "handoff": "Te paso con una persona del equipo de recepción; te responderán por aquí en breve.",
        "handoff_pms": "No puedo consultar el sistema de reservas ahora mismo, así que te paso con recepción "
        "para que te ayuden.",
        "handoff_complaint": "Siento mucho lo ocurrido. Te paso ahora mismo con una persona de recepción.",
        "handoff_bookings_off": "Ahora mismo las reservas se gestionan con recepción; te paso con una persona "
        "del equipo.",
        "ok_anything_else": "De acuerdo. ¿Te ayudo con algo más?",
        "unsupported_media": "Por ahora solo puedo leer mensajes de texto. ¿Me lo escribes, por favor?",
        "released": "Hola de nuevo, vuelves a hablar con el asistente virtual. ¿En qué te ayudo?",
    },
    "en": {
        "greet": "Hi! I'm the virtual assistant of {hotel}. I can check availability and prices, make, change "
        "or cancel bookings, and answer questions about the hotel. How can I help?",
        "thanks": "You're welcome! Anything else I can help with?",
        "goodbye": "Thanks for writing to us! See you soon.",
        "out_of_scope": "I can only help with the hotel: availability, prices, bookings and questions about "
        "your stay. What do you need?",
        "clarify": "Sorry, I didn't quite get that. Would you like to check availability, make or manage a "
        "booking, or do you have a question about the hotel?",
        "clarify_dates": "Sorry, I didn't get the dates. Tell me your arrival and departure days (for example: "
        "December 12 to 15) or your arrival and the nights (December 12, 3 nights).",
        "clarify_check_out": "Sorry, I didn't get that. Tell me your departure day (for example: the 15th) or how "
        "many nights (for example: 3 nights).",
        "clarify_party": 'Sorry, I didn\'t get how many of you are coming. Tell me a number ("2") or adults and '
        'children ("2 adults and a 6-year-old").',
        "clarify_room": "Sorry, I didn't get which room you'd like. Reply with its number (1 to {count}) or its "
        'name ({names}), or tell me "the cheapest", "the biggest" or "the one for 4".',
        "clarify_yes_no": 'Sorry, I didn\'t get that. Answer "yes" to go ahead or "no" to leave it.',
        "clarify_modify": "Sorry, I didn't get the change to booking {reference}. Tell me the new dates (for "
        "example: December 12 to 15) or the new number of guests (for example: 3 adults).",
        "ask_dates": "For which dates? Tell me your arrival and departure days (for example: December 12 to 15).",
        "ask_check_out": "Arriving {check_in}. Until which day, or how many nights?",
        "ask_check_in": "Leaving {check_out}. Which day do you arrive?",
        "ask_party": "How many guests (adults and children)?",
        "dates_in_past": "Sorry, those dates are already past: {day} is before today. When would you like to come?",
        "no_such_day": "Just so you know, there's no {day} in the calendar.",
        "reversed_stay": "The departure you gave is before the arrival. Did you mean {stay}?",
        "too_long": "I can look up stays of up to {max_nights} nights here; for longer stays I'll put you in "
        "touch with reception.",
        "quote_header": "For {stay}, {party}:",
        "quote_header_stale": "I can't reach the booking system right now. These are the last prices I know "
        "for {stay}, {party}, and they are to be confirmed:",
        "quote_line": "{n}. {name}: {nightly} per night, total {total}",
        "quote_line_fees": "{n}. {name}: {nightly} per night, {stay_total} for the stay{fees}, total {total}",
        "fee_item": "{fee} {amount}",
        "fees_included": " (including {fees})",
        "quote_footer": "Which one would you like? Reply with the number or the room name.",
        "no_availability": "Sorry, there is no availability for {stay}, {party}. Shall we try other dates?",
        "choose_again": "Which of these rooms would you like? Reply with the number (1 to {count}).",
        "ask_name": "Great, {room}. Whose name should the booking be under?",
        "ask_email": "What's your email?",
        "ask_phone": "And a contact phone number?",
        "invalid_email": "That email doesn't look right. Could you type it again?",
        "invalid_phone": "That phone number doesn't look right. Please include the country code, e.g. +1 305 555 0100.",
        "ask_phone_country": "Which country is the phone number {phone} from? Tell me its country code "
        "(e.g. +44), or type it in full with the code.",
        "invalid_name": "A name can only have letters, no digits. Whose name should the booking be under?",
        "name_too_long": "That name is too long for the booking system (up to {max} characters for the first "
        "name and {max} for the surname). Could you give me a shorter form?",
        "email_too_long": "That email is too long for the booking system (up to {max} characters). Do you have "
        "a shorter one?",
        "confirm_booking": "Summary: {room}, {stay}, {party}. Total {total}{fees_note}{stale_note}. Under {name} "
        "({email}, {phone}). Shall I confirm the booking?",
        "stale_note": " (price to be confirmed)",
        "confirm_yes_no": "Shall I confirm? Please answer yes or no.",
        "booked": "Your booking is confirmed! Your reference is {reference}. {room}, {stay}. Total {total}. "
        "See you soon!",
        "booked_pending": "I've recorded your booking under reference {reference}, but the hotel's system "
        "isn't answering right now: we'll confirm it as soon as it's back and let you know here.",
        "booking_dropped": "Understood, I haven't booked anything. Anything else I can help with?",
        "rooms_gone": "Oh, that room has just been taken for those dates.",
        "booking_refused": "The hotel could not accept the booking: {reason}",
        "ask_reference": "Sure. Could you give me the booking reference (it starts with AH) and the email or "
        "phone number you booked with?",
        "ask_reference_only": "Thanks. And the booking reference? It starts with AH.",
        "modify_party_does_not_fit": "{room} can't take {party} per room, so that change isn't possible on your "
        "booking. Would you like to change something else?",
        "ask_verification": "To make sure it's you, could you give me the booking's email or phone number?",
        "verification_failed": "I can't find a booking with those details. Please check the reference and "
        "the email or phone.",
        "status": "Your booking {reference}: {room}, {stay}, {party}. Status: {status}.",
        "status_names": "confirmed=confirmed;pending=pending confirmation;cancelled=cancelled;failed=not confirmed",
        "confirm_cancel": "Your booking {reference}: {room}, {stay}. {fee} Are you sure you want to cancel it?",
        "cancelled": "Done: booking {reference} is cancelled. {fee}",
        "cancel_fee_free": "No cancellation fee applies to this booking: cancellation is free until {deadline} "
        "({hours} hours before arrival).",
        "cancel_fee_today": "Free cancellation for this booking runs until today at {time} ({hours} hours before "
        "arrival); after that the hotel charges {charge}.",
        "cancel_fee_due": "A cancellation fee applies to this booking: free cancellation ended on {deadline} "
        "({hours} hours before arrival), so the hotel charges {charge}.",
        "cancel_fee_policy": "The hotel's cancellation policy: {policy} I can't tell from it whether this booking "
        "will be charged; reception can confirm it.",
        "cancel_fee_unknown": "The hotel hasn't given me its cancellation policy, so I can't tell you whether this "
        "booking will be charged; reception can confirm it.",
        "charge_names": "first_night=the first night;full_stay=the whole stay",
        "charge_default": "what its policy sets",
        "day_at": "{day} at {time}",
        "cancel_dropped": "Alright, your booking {reference} stays as it is.",
        "already_cancelled": "Booking {reference} was already cancelled.",
        "modify_what": "What would you like to change in booking {reference}: the dates or the number of guests?",
        "confirm_modify": "The change would be: {room}, {stay}, {party}. New total {total}{fees_note}. "
        "Shall I confirm it?",
        "modified": "Done: your booking {reference} is now {room}, {stay}, {party}. Total {total}.",
        "modify_dropped": "Alright, your booking {reference} stays as it was.",
        "modify_unavailable": "Sorry, there's no availability for that change. Your booking is unchanged. "
        "Shall we try other dates?",
        "faq_missing_item": "I don't have information about {item}. Would you like me to put you in touch with "
        "reception?",
        "faq_missing_in_flow": "I don't have that information; reception can tell you, and I can pass you to them "
        "whenever you like.",
        "faq_missing_item_in_flow": "I don't have information about {item}; reception can tell you, and I can pass "
        "you to them whenever you like.",
        "item_names": "pool=a pool;gym=a gym;spa=a spa;sauna=a sauna;jacuzzi=a jacuzzi;"
        "air_conditioning=air conditioning;heating=heating;restaurant=a restaurant;bar=a bar;"
        "room_service=room service;laundry=laundry;crib=cribs;towels=towels;hairdryer=hair dryers;"
        "fridge=a fridge or minibar;safe=a safe;tv=TV;elevator=an elevator;balcony=balconies or terraces;"
        "bathtub=bathtubs;accessibility=accessibility;kettle=kettles or coffee makers;bikes=bikes;"
        "toiletries=toiletries",
        "offer_declined": "Alright. Anything else I can help with?",
        "off_topic_weather": "I don't have weather information or forecasts, sorry.",
        "off_topic_nearby": "I don't have recommendations for places around the hotel; reception will be happy "
        "to suggest some when you arrive.",
        "off_topic_arrange": "I can't book taxis, tours, tables or tickets from here; reception can arrange it "
        "for you.",
        "can_do": "What I can do: check availability and prices, make, change or cancel bookings, and answer "
        "questions about the hotel (breakfast, parking, wifi, check-in times…).",
        "total_room": "The total for {room} ({stay}, {party}) is {total}{stale_note}.",
        "total_header": "The total for {stay}, {party}, by room:",
        "total_line": "{n}. {name}: {total}",
        "total_booking": "The total of your booking {reference} is {total}.",
        "total_unknown": "I'll tell you the total as soon as I know your dates and how many of you there are.",
        "modify_ask_dates": "What are the new arrival and departure dates?",
        "modify_ask_party": "How many guests will there be now (adults and children)?",
        "faq_missing": "I don't have that information. Would you like me to put you in touch with reception?",
        "resume": "Back to your booking: {question}",
        "handoff": "I'm passing you to a member of our reception team; they'll reply here shortly.",
        "handoff_pms": "I can't reach the booking system right now, so I'm passing you to reception so they "
        "can help you.",
        "handoff_complaint": "I'm very sorry about that. I'm passing you to a person at reception right now.",
        "handoff_bookings_off": "Bookings are being handled by reception right now; I'm passing you to a "
        "member of the team.",
        "ok_anything_else": "Alright. Anything else I can help with?",
        "unsupported_media": "For now I can only read text messages. Could you type it, please?",
        "released": "Hi again, you're back with the virtual assistant. How can I help?",
    },
}
