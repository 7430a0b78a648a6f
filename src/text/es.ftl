# Las palabras de appt en español: `id = texto`, `{nombre}` para lo que se completa.
# Cada id está también en en.txt, con los mismos marcadores (src/output/lang.rs).

# Words
word-yes = sí
word-no = no
word-on = sí
word-off = no
word-none = ninguno
word-all = todos
word-always = siempre
word-open = abierta
word-closed = cerrada

# Appointment statuses as people read them (JSON keeps the codes)
status-scheduled = programada
status-confirmed = confirmada
status-checked_in = en sala
status-in_progress = en consulta
status-completed = atendida
status-cancelled = cancelada
status-no_show = ausente

# Reminder statuses
reminder-pending = pendiente
reminder-sent = enviado
reminder-delivered = entregado
reminder-read = leído
reminder-failed = fallido
reminder-cancelled = cancelado
reminder-expired = vencido

# Messages' kinds
kind-reminder = recordatorio { $offset }
kind-offer = oferta
kind-confirm = confirm.
kind-moved = cambio
kind-waitlist_offer = oferta de lista de espera
kind-recall = control
kind-confirmation = confirmación
kind-rescheduled = reprogramada

# Column headings
col-hash = #
col-Active = Activo
col-Appointment = Cita
col-Available = Disponible
col-Batch = Lote
col-Cancel = Cancelar
col-Cap = Cupo
col-Date = Fecha
col-Delivered = Entregados
col-Doctor = Médico
col-Due = Para
col-Email = Correo
col-Event = Evento
col-Events = Eventos
col-From = Desde
col-Horizon = Horizonte
col-Hours = Horario
col-ID = ID
col-Kind = Tipo
col-Last_error = Último error
col-Last_event = Último evento
col-Left = Libres
col-Message = Mensaje
col-Minutes = Minutos
col-Name = Nombre
col-National_ID = DUI
col-No-shows = Ausencias
col-Notice = Aviso
col-Offers = Ofertas
col-Patient = Paciente
col-Per_day = Por día
col-Buffers = Márgenes
col-Phone = Teléfono
col-Reason = Motivo
col-Reminders = Recordatorios
col-Retry_at = Reintento
col-Service = Servicio
col-Session = Sesión
col-Signed = Firmado
col-Slot = Intervalo
col-Specialty = Especialidad
col-Start = Inicio
col-Status = Estado
col-Time = Hora
col-Time_zone = Zona horaria
col-To = Hasta
col-Tok = Nº
col-Token = Ficha
col-Tries = Intentos
col-URL = URL
col-Valid = Vigencia
col-When = Cuándo
col-Who = Quién

# Cards: an appointment
card-When = Cuándo
card-Clinic = Clínica
card-Doctor = Médico
card-Patient = Paciente
card-Service = Servicio
card-Token = Ficha
card-Source = Origen
card-Session = Sesión
card-Batch = Lote
card-Reason = Motivo
card-Notes = Notas
card-Diagnosis = Diagnóstico
card-Rx = Receta
card-Cancelled = Cancelada
card-Ext_ref = Ref. ext.
card-Series = Serie
card-Follow-up = Control

# Cards: a clinic
clinic-timezone = Zona horaria
clinic-slot = Intervalo entre citas
clinic-notice = Aviso mínimo
clinic-horizon = Reservas hasta
clinic-cancel = Plazo de cancelación
clinic-reminders = Recordatorios
clinic-duplicates = Evitar duplicados
clinic-diagnosis = Pedir diagnóstico
clinic-notify = Avisar a pacientes

# Cards: a patient
patient-phone = Teléfono
patient-national_id = DUI
patient-email = Correo
patient-channel = Canal
patient-channel_whatsapp = WhatsApp
patient-channel_sms = SMS
patient-channel_email = correo electrónico
patient-channel_none = ninguno: sin mensajes
patient-channel_unset = el orden de la clínica
patient-no_shows = Ausencias
patient-erased = Paciente borrado

# Human output
h-clinic_wide = toda la clínica
h-clinic_wide_service = { $service } (toda la clínica)
h-clinic_wide_title = Toda la clínica
h-confirm_who = { $verb } { $id }: { $patient } con { $doctor },
h-confirm_token = ficha { $token } [{ $status }]
h-token = ficha { $token }
h-no_appointments = No hay citas.
h-series_booked = { $n ->
        [one] Reservada 1 cita
       *[other] Reservadas { $n } citas
    } de la serie { $id }:
h-series_rescheduled = { $n ->
        [one] Movida 1 cita
       *[other] Movidas { $n } citas
    } de la serie { $id }:
h-series_cancelled = { $n ->
        [one] Cancelada 1 cita
       *[other] Canceladas { $n } citas
    } de la serie { $id }:
h-series_skipped = Sin reservar:
h-no_patients = No hay pacientes.
h-no_reminders = No hay recordatorios.
h-no_webhooks = No hay webhooks.
h-card_appointment = Cita { $id }  [{ $status }]
h-card_clinic = Clínica { $name }
h-card_patient = Paciente { $name }
h-clinic_added = Clínica agregada: { $name } ({ $zone }) { $id }
h-unreadable = (ilegible)
h-national_ids = { $n } DUI
h-key_new = Nueva llave de DUI (versión { $version }): guárdela ahora y ponga APPT_KEY con ella dondequiera que corra appt:
h-key_resealed = Se volvieron a sellar { $ids } con ella; la llave anterior ya no los abre.
h-key_rotated = Llave de DUI cambiada a la versión { $version }: se volvieron a sellar { $ids } con ella.
h-key_file = Archivo de la llave: { $file }
h-key_kept = La llave anterior quedó en { $file } (abre respaldos anteriores; bórrela cuando ninguno la necesite)
h-key_unreadable = { $ids } no se pudieron abrir (dañados o de otro paciente) y quedaron como estaban: `appt check` los muestra.
h-check_ok = Bien: no se encontraron problemas
h-check_many = { $n ->
        [one] Se encontró 1 problema:
       *[other] Se encontraron { $n } problemas:
    }
h-capacity = cupo { $n }
h-window_gone = el horario ya no existe
h-check_buffers = márgenes { $before }/{ $after } min
h-check_reminder = recordatorio { $id }  { $offset }  para { $due }  { $status }  cita { $appointment }
h-check_key = { $table } rowid { $rowid }: { $column } = { $value } (no existe esa fila en { $parent })
h-check_patient = paciente { $id }  DUI { $problem }
h-check_trace = { $table } { $id }: { $column } (paciente borrado { $patient })
h-slots_title = { $who } en { $clinic },
h-agenda_empty = Nada programado y ningún horario abierto.
h-closed_reason = Cerrado: { $reason }
h-free = · libre ·
h-buffer = · margen (reservado) ·
h-free_run = · { $n } { $n ->
        [one] libre
       *[other] libres
    } ·
h-free_run_places = · { $n } { $n ->
        [one] libre
       *[other] libres
    } ({ $places } { $places ->
        [one] cupo
       *[other] cupos
    }) ·
h-day_summary = { $booked } { $booked ->
        [one] cita
       *[other] citas
    } · { $arrived } { $arrived ->
        [one] llegó
       *[other] llegaron
    } · { $free } { $free ->
        [one] libre
       *[other] libres
    }
p-session = Nombre de la jornada (Mañana, Tarde…; vacío si no tiene)
p-which_one = ¿Cuál?
p-did_you_mean = ¿Quiso decir?
p-nobody_called = { $what ->
        [doctor] Ningún médico
        [clinic] Ninguna clínica
        [service] Ningún servicio
        [patient] Ningún paciente
       *[other] Ningún registro
    } se llama '{ $typed }'.
p-appointment = Cita
p-new_status = Nuevo estado
p-diagnosis = Diagnóstico
p-date_wanted = Fecha deseada
e-nobody_is_booked_for_today = nadie tiene cita hoy: indique el ID de la cita, o el teléfono o el nombre del paciente
e-is_not_at_this_appts_schema_version = { $a } no está en la versión de esquema de este appt ({ $b })
e-cannot_read_database = no se puede leer la base de datos { $a }: { $e }
o-database = base de datos: { $database }
clinic-country_code = Código de país
p-phone_local = Teléfono (local de { $code }, o +…)
e-problem_and_hint = { $a } ({ $h })
e-reads_as_a_local_number = { $a } se lee como número local; { $h }
e-country_code_must_be = El código de país debe ser + y de 1 a 3 dígitos, p. ej. +503 (se recibió '{ $t }'), o none
e-country_code_of_no_country = { $t } no es el código de ningún país: indique el de un país, p. ej. +503 (El Salvador), +52 (México), +34 (España), o none
e-is_not_a_country_code = { $a } no es un código de país (+ y de 1 a 3 dígitos)
e-not_a_phone_number = '{ $raw }' no es un número de teléfono: escríbalo en E.164 (+ y el código de país, p. ej. +50377654321), o como número local en una clínica con código de país
e-has_no_country_code = '{ $raw }' no tiene código de país: escríbalo con su + (E.164, p. ej. +50377654321)
e-set_the_clinics_country_code = para escribir números locales, indique el código de país de la clínica: appt clinic update { $a } --country-code +503
e-add_a_clinic_with_country_code = para escribir números locales, agregue una clínica con su código de país: appt clinic add NAME --timezone TZ --country-code +503
e-set_the_clinics_country_codes = para escribir números locales, indique los códigos de país de las clínicas: appt clinic update CLINIC --country-code +503
e-clinics_differ_in_country_code = las clínicas tienen distintos códigos de país ({ $a }): use --clinic para leer un número local con el de esa clínica
e-body_not_valid_json = El cuerpo no es JSON válido (línea { $line }, columna { $column })
e-too_many_failed_authentications = Demasiadas autenticaciones fallidas desde esta dirección; inténtelo más tarde
e-cannot_listen_on = no se puede escuchar en { $addr }: { $e }
e-cannot_read_pem_certificate = no se puede leer un certificado PEM de { $path }: { $e }
e-cannot_read_pem_key = no se puede leer una clave privada PEM de { $path }
e-listen_must_be_address_port = listen debe ser DIRECCIÓN:PUERTO (127.0.0.1:8080), no '{ $listen }'
e-key_does_not_fit_certificate = la clave no corresponde al certificado: { $e }
e-request_failed_inside_appt = La petición falló dentro de appt (un error del programa)
e-busy_time_of_a_doctor_not_asked_for = Un horario ocupado de un médico por el que no se preguntó (un error del programa)
e-no_appointment_column = no hay columna de cita { $name } (un error del programa)
e-values_for_rows_of = { $arg1 } valores para filas de { $width } en { $arg2 } (un error del programa)
e-is_not_a_question_of_windows = { $asked } no es una pregunta de ventanas (un error del programa)
e-cannot_both_be_given = { $first } y { $second } no pueden darse a la vez
e-not_loopback_needs_tls = { $addr } no es una dirección local (loopback): necesita --tls-cert y --tls-key, o --allow-plain-http detrás de un proxy TLS
e-method_not_allowed_here = { $method } no se permite aquí; se permite: { $allowed }
e-date_not_with_start_or_end = date no puede darse junto con start o end
e-body_must_be_json_object = El cuerpo debe ser un objeto JSON
e-body_must_be_application_json = El cuerpo debe ser application/json
e-body_over_kib = El cuerpo pasa de { $n } KiB
e-token_lacks_scope = Este token no tiene el permiso { $scope }
e-no_such_endpoint = No existe ese punto de acceso
e-server_is_stopping = El servidor se está deteniendo
e-threads_between = threads debe estar entre 1 y 256
e-holds_no_pem_certificate = { $path } no contiene ningún certificado PEM
e-date_is_required = date es obligatorio
e-status_is_required = status es obligatorio
e-limit_between_1_and_1000 = limit debe estar entre 1 y 1000
e-external_ref_differs = external_ref no coincide con la cabecera Idempotency-Key
e-tls = TLS: { $e }
e-is_not_a_scope = '{ $s }' no es un permiso: use appointments:read, appointments:write, clinical, patients:export o patients:erase
e-at_least_one_scope = se requiere al menos un permiso: appointments:read, appointments:write, clinical, patients:export o patients:erase
e-token_name_must_be = el nombre de un token debe tener de 1 a { $n } letras, dígitos, '.', '_' o '-'
e-is_not_an_expiry = '{ $t }' no es un vencimiento: indique días (90d), horas (12h), una fecha (2026-12-31) o una hora RFC 3339
e-expires_must_be_between = --expires debe estar entre 1 hora y { $n } días a partir de ahora
e-expires_is_not_in_the_future = --expires { $t } no está en el futuro
e-is_not_a_list_of_scopes = { $a } no es una lista de permisos
e-token_named_exists = ya existe un token llamado '{ $name }': revóquelo primero (appt token revoke { $name }) o elija otro nombre
e-token_was_not_saved = { $a }; el token no se guardó: el que se mostró no funciona
e-no_active_token_has_the_name_or_prefix = ningún token activo tiene el nombre o el prefijo '{ $name }'
e-several_active_tokens_have_the_prefix = varios tokens activos tienen el prefijo '{ $prefix }': { $names }
e-give_the_tokens_name = indique el nombre del token: `appt token list` lo muestra
e-token_list_shows_the_tokens = `appt token list` muestra los tokens
e-a_valid_api_token_is_required = se requiere un token de API válido: Authorization: Bearer TOKEN
h-token_added = Token { $name } agregado con los permisos { $scopes }
h-token_clinic = Solo ve la clínica { $clinic }.
h-token_expires = Vence el { $at }.
h-token_never_expires = No vence nunca.
h-token_shown_once = El token se muestra esta única vez (appt guarda solo su hash): guárdelo ahora.
h-no_tokens = No hay tokens de API.
h-token_active = activo
h-token_expired = vencido
h-token_revoked = revocado
c-token_revoked = Token { $name } revocado ({ $prefix }): las solicitudes con él se rechazan desde ahora
word-never = nunca
col-Prefix = Prefijo
col-Scopes = Permisos
col-Clinic = Clínica
col-Created = Creado
col-Expires = Vence
col-Last_used = Último uso
pg-title_visit = Su cita
pg-add_to_calendar = Agregarla a su calendario
pg-title_offer = Se liberó un horario para usted
pg-title_gone = Este enlace no funciona
pg-gone = El enlace no es válido. Revise que esté completo, o llame a la clínica.
pg-doctor = Médico
pg-service = Servicio
pg-when = Cuándo
pg-status = Estado
pg-confirm = Confirmar
pg-take = Reservar este horario
pg-pick_day = Otro día
pg-show_times = Ver sus horas
pg-no_times_that_day = No hay horas libres el
pg-out_of_reach = Esa hora ya no se puede tomar por aquí: elija otra.
pg-another_time = Otro horario
pg-move = Cambiar a este horario
pg-cancel_why = ¿Por qué cancela?
pg-reason_1 = No puedo asistir
pg-reason_2 = Ya me siento mejor
pg-reason_3 = Conseguí otro horario
pg-other_reason = Otro motivo
pg-other_reason_text = Su motivo
pg-cancel = Cancelar la cita
pg-call = Para cancelarla o cambiarla ahora, llame a la clínica:
pg-call_no_phone = Para cancelarla o cambiarla ahora, llame a la clínica.
pg-too_late = Ya es muy tarde para cancelar o cambiar la cita por aquí.
pg-over = Esta cita ya no se puede cambiar.
pg-confirmed = Gracias: su cita está confirmada.
pg-cancelled = Su cita está cancelada.
pg-moved = Su cita cambió al nuevo horario.
pg-taken = El horario es suyo: su cita está reservada.
pg-time_taken = Ese horario acaba de ocuparse. Estos son los siguientes libres.
pg-time_taken_none = Ese horario acaba de ocuparse y no hay otro libre que ofrecerle aquí.
pg-bad_reason = El motivo no puede llevar caracteres de control: escríbalo con letras, números y signos.
pg-offer_closed = Este horario ya no está disponible.
pg-no_reason = Elija o escriba un motivo.
pg-refused = No se pudo hacer. Por favor llame a la clínica.
pg-when_at = { $date } a las { $time }
pg-title_trouble = Algo salió mal
pg-trouble = El sistema de la clínica no pudo responder. Inténtelo de nuevo en un momento, o llame a la clínica.
e-body_must_be_form = El cuerpo debe ser application/x-www-form-urlencoded
e-action_must_be = action debe ser confirm, cancel, move o take
e-say_why_you_cancel = Diga por qué cancela
e-max_connections_at_least_1 = max-connections debe ser al menos 1
e-write_not_begun_stopping = la escritura no se empezó: el servidor se está deteniendo
e-reason_no_control_characters = el motivo no puede llevar caracteres de control
e-clinic_id_not_spelt_as_id = el ID de una clínica no tiene forma de ID
e-appointment_no_longer_changed = Esta cita ya no se puede cambiar
e-offer_no_longer_open = Esta oferta ya no está abierta: el horario se ocupó o usted ya no está en la lista de espera
e-database_not_available = La base de datos no está disponible; inténtelo en un momento
h-free_left = · libre (quedan { $n }) ·
h-history = Historial de { $id } ({ $patient })
h-imported = Reservadas { $booked }, ya reservadas { $again }, rechazadas { $rejected }
h-import_dry = Se reservarían { $booked }, ya reservadas { $again }, rechazadas { $rejected }
h-import_line = línea { $line }: { $code } { $message }
h-import_untold = … y { $n } { $n ->
        [one] línea rechazada
       *[other] líneas rechazadas
    } más (solo se muestran las primeras { $shown })
h-next_none = No hay turnos libres en { $clinic } dentro de su plazo de reservas.
h-next_title = Primeros libres en { $clinic }
h-upcoming = Próximas
h-recent = Recientes
h-dry_sweep = Se enviarían { $send }, vencerían { $expire }, se cancelarían { $cancel } (prueba: nada cambió)

# The front desk
d-queue_title = Fila del { $date } en { $clinic }
d-nobody_booked = No hay nadie citado hoy.
d-waiting = { $verb } { $id }: { $patient } ({ $phone }) para { $doctor } el { $date }
d-nobody_waiting = No hay nadie en la lista de espera.
d-no_recalls = No hay controles pendientes.
recall-due = pendiente
recall-sent = enviado
recall-booked = reservado
c-recalls_sent = Controles: { $a } enviados, { $b } fallidos, { $c } ya reservados
d-no_free_slots = no hay turnos libres
d-closed = cerrado
d-closed_reason = cerrado: { $reason }
d-no_hours = sin horario en esta clínica
d-day_off = no atiende el { $weekday } (atiende { $days })
d-needs_service = este horario solo atiende { $services }: indique --service
d-doctor_limit = el médico ya tiene su máximo de { $limit } { $limit ->
        [one] cita
       *[other] citas
    } al día
d-service_limit = este servicio ya tiene su máximo de { $limit } al día
d-day_full = límite del día alcanzado
d-next_free = ; próximo día libre: { $date } a las { $time }
d-outside_hours = fuera de horario
d-taken = ocupado
d-full = lleno
d-window_closed = horario cerrado
d-past = pasado
d-too_soon = muy pronto
d-too_far = muy adelante
d-not_for_service = no es para este servicio o duración
d-resource_busy = sala o equipo ocupado

# Errors, warnings and hints on stderr
o-error = error: { $message }
o-warning = aviso: { $message }
o-hint = sugerencia: { $hint }

# Kinds of record inside error sentences (`A {kind} named …`)
kind-cancel = cancel.
kind-cancelled = cancelación

# Event kinds in `history` (the long form, then the short one)
event-appointment-booked = cita reservada
event-appointment-cancelled = cita cancelada
event-appointment-checked_in = llegó el paciente
event-appointment-completed = cita atendida
event-appointment-confirmed = cita confirmada
event-appointment-in_progress = pasó a consulta
event-appointment-no_show = no se presentó
event-appointment-rescheduled = cita reprogramada
event-appointment-slot_offered = cupo ofrecido
event-appointment-updated = cita modificada
event-short-appointment-booked = reservada
event-short-appointment-cancelled = cancelada
event-short-appointment-checked_in = llegó
event-short-appointment-completed = atendida
event-short-appointment-confirmed = confirmada
event-short-appointment-in_progress = en consulta
event-short-appointment-no_show = ausente
event-short-appointment-rescheduled = reprogramada
event-short-appointment-slot_offered = cupo ofrecido
event-short-appointment-updated = modificada

# Confirmations and questions of the commands
c-db_ready = Base de datos lista en { $path }
c-backed_up = Respaldo de { $a } guardado en { $b } ({ $c } bytes)
c-backup_sealed = \n{ $a ->
        [one] Su DUI está sellado
       *[other] Sus { $a } DUI están sellados
    } con la llave en { $key }: guarde una copia de esa llave, aparte del respaldo
c-renamed = \nEl paciente con teléfono { $a } se llamaba { $b }: ahora { $c }
c-cancel_q_id = ¿Cancelar la cita { $id }?
c-cancel_q = ¿Cancelar la cita { $a } de { $b } con { $c }, { $d }?
c-cancel_series_q = (y todas las siguientes de su serie)
c-the_clinic = la clínica
c-clinic_updated = Clínica actualizada: { $a }
c-all_online_already = Cada médico con horario aquí, y lo que hace, ya estaba en la página de citas
c-put_online = Ahora en la página de citas: { $doctors ->
        [0] ningún médico
        [one] 1 médico
       *[other] { $doctors } médicos
    } y { $services ->
        [0] ningún servicio
        [one] 1 servicio
       *[other] { $services } servicios
    } ({ $names })
c-closure_added = Cerrado { $a } { $b }…{ $c } { $d }
c-closure_remove_q = ¿Quitar el cierre { $a } ({ $b }…{ $c }{ $reason })?
c-closure_removed = Cierre quitado: { $a }
c-doctor_added = Médico agregado: { $a } { $b }
c-doctor_updated = Médico actualizado: { $a }
c-patient_added = Paciente agregado: { $a } { $b } { $c }
c-patient_updated = Paciente actualizado: { $a } { $b }
c-patient_exported = Exportado todo lo que se guarda de { $a } en { $shown } ({ $format })
c-patient_erase_q = ¿Borrar a { $a } ({ $b }) para siempre? Se borran su nombre, teléfono, correo, DUI, mensajes y enlaces; sus citas quedan, sin sus datos
c-patient_erased = Paciente { $id } borrado: nombre, teléfono, correo, DUI, mensajes y enlaces eliminados; citas conservadas: { $n }, con su expediente clínico
c-patient_erased_clinical = Paciente { $id } borrado: nombre, teléfono, correo, DUI, mensajes, enlaces y expediente clínico eliminados; citas conservadas: { $n }
c-service_added = Servicio agregado: { $a } ({ $b } min) { $c }
c-service_updated = Servicio actualizado: { $a }
c-service_remove_q = ¿Quitar el servicio { $a }?
c-service_removed = Servicio quitado: { $a }
word-room = sala
word-equipment = equipo
col-Needs = Necesita
c-resource_added = Agregado: { $k } { $a } (atiende { $b } a la vez) { $c }
c-resource_updated = Actualizado: { $a }
c-resource_removed = Quitado: { $a }
c-resource_kept = { $a } se conserva por las citas que tuvo, ahora inactivo
c-resource_remove_q = ¿Quitar { $a }?
c-resource_hours_added = { $a } disponible { $days } { $from }–{ $to }: solo se da dentro de su horario
c-resource_closed = { $a } cerrado del { $from } al { $to }
c-window_added = Horario agregado { $a } para { $b } en { $c }: { $d }
c-window_remove_q = ¿Quitar el horario { $a } ({ $b })?
c-window_removed = Horario quitado: { $a } ({ $b })
c-window_opened = Horario abierto: { $a } ({ $b })
c-window_closed = Horario cerrado: { $a } ({ $b })
c-waitlist_remove_q = ¿Quitar a { $a } ({ $b }) de la lista de espera de { $c } del { $d }?
c-reminders_sent = Recordatorios: { $a } enviados, { $b } fallidos, { $c } vencidos, { $d } cancelados
c-webhook_added = Webhook agregado { $a } → { $b }
c-webhook_remove_q = ¿Quitar el webhook { $a } ({ $b })?
c-webhook_removed = Webhook quitado: { $a } ({ $b })
c-webhooks_sent = Webhooks: { $a } entregados, { $failed } fallidos
c-transferred = Se { $total ->
        [one] copió 1 fila
       *[other] copiaron { $total } filas
    } de { $a } a { $to } ({ $b }), conteos verificados
c-demo_replace_q = ¿Reemplazar la base de demostración { $a }? (se pierde lo que se hizo en ella)
c-demo_ready = Base de demostración: { $shown }\n(explórela con: appt --db '{ $shown }' list)\n\n{ $a }\n\n{ $free }
c-demo_free = Turnos libres mañana:
c-report_written = Informe escrito en { $shown } ({ $format })
c-exported = { $n ->
        [one] Se exportó 1 cita
       *[other] Se exportaron { $n } citas
    } a { $shown } ({ $format })

# Verbs of the one-line confirmations (recognised like the error sentences)
v-booked = Cita reservada
v-walk_in = Sin cita previa: registrado y en sala
v-already = Ya estaba reservada (ref { $ref }):
v-rescheduled = Cita reprogramada
v-moving = Se mueve
v-cancelled = Cita cancelada
v-updated = Cita actualizada
v-status_already = Ya estaba { $a }
v-next = Siguiente
v-marked_scheduled = Marcada como programada
v-marked_confirmed = Marcada como confirmada
v-marked_checked_in = Llegada registrada
v-marked_in_progress = Marcada en consulta
v-marked_completed = Marcada como atendida
v-marked_cancelled = Marcada como cancelada
v-marked_no_show = Marcada como ausente
v-waiting = En la lista de espera
v-already_waiting = Ya estaba en la lista de espera
v-removed_waitlist = Quitado de la lista de espera

# Prompts: labels, questions and pickers
p-date = Fecha
p-new_date = Nueva fecha
p-default_today = hoy
p-default_tomorrow = mañana
p-patient_phone = Teléfono del paciente
p-patient_name = Nombre completo del paciente
p-patient_email = Correo del paciente (Enter si no tiene)
p-cancel_reason = Motivo de la cancelación
p-erase_reason = Motivo del borrado (fecha o número de la solicitud)
p-clinic_name = Nombre de la clínica
p-timezone = Zona horaria (IANA, p. ej. America/El_Salvador)
p-first_closed = Primer día cerrado
p-doctor_name = Nombre completo del médico
p-format = Formato
p-full_name = Nombre completo
p-phone = Teléfono (+503…)
p-email = Correo (Enter si no tiene)
p-service_name = Nombre del servicio
p-minutes = Duración en minutos
p-webhook_url = URL del webhook
p-repeats = Se repite
p-every_week = Cada semana
p-one_date = Una sola fecha
p-days = Días (lun-vie, lun,mié,vie)
p-from = Desde (HH:MM)
p-to = Hasta (HH:MM)
p-doctor = Médico
p-whole_clinic = Toda la clínica (sin médico)
p-free_slot = Turno libre
p-service_only = Servicio (este horario solo atiende estos)
p-nothing_changed = No se cambió nada.
p-places = { "  " }({ $n } { $n ->
        [one] cupo
       *[other] cupos
    })
p-its_time = { "  " }(su hora actual)

# Error messages and hints, as core, app and store build them in English
e-has_no_active_appointment_today_or_later = '{ $input }' no tiene una cita activa hoy ni después; `appt list --patient` muestra sus consultas
e-has_several_appointments = '{ $input }' tiene varias citas
e-matches_several_s = '{ $input }' coincide con varios { $a ->
        [clinic] clínicas
        [doctor] médicos
        [service] servicios
        [patient] pacientes
        [appointment] citas
        [window] horarios
        [webhook] webhooks
        [closure] cierres
       *[other] registros
    }
e-is_not_an_iana_time_zone_name = '{ $s }' no es una zona horaria IANA (p. ej. America/El_Salvador)
e-date_or_time_or_at_is_required = falta --date o --time (o --at)
e-days_or_date_is_required = falta --days o --date
e-diagnosis_is_required_to_complete_an_appointment = se necesita --diagnosis para completar una cita en esta clínica
e-format_is_required = falta --format
e-name_is_required_for_a_new_patient = se necesita --name para un paciente nuevo
e-output_must_name_a_file = --output debe nombrar un archivo
e-patient_or_phone_is_required = falta --patient o --phone
h-no_visits = ninguna
e-give_the_reason = indíquelo con --reason TEXTO
e-reason_is_required = Falta el motivo
e-timezone_is_required = falta --timezone
e-a_patient_with_phone_already_exists = Ya existe un paciente con el teléfono { $a }
e-a_named_already_exists = Ya existe { $a ->
        [clinic] una clínica
        [doctor] un médico
        [service] un servicio
        [patient] un paciente
        [appointment] una cita
        [window] un horario
        [webhook] un webhook
        [closure] un cierre
        [channel] un canal
        [member] un miembro del personal
       *[other] un registro
    } con el nombre '{ $name }'
e-appt_key_must_be_64_hex_characters = APPT_KEY debe tener 64 caracteres hexadecimales (32 bytes), o N:HEX para la versión N de la llave: { $why }
e-appt_now = APPT_NOW: { $m }
e-all_places_at_this_time_are_taken = Los { $cap } cupos de esta hora están ocupados
e-time_held_for_a_patient = Esta hora está reservada para un paciente que la está confirmando en la página de citas
e-doctor_daily_limit_reached = El médico atiende como máximo { $a } { $a ->
        [one] cita al día, y el { $date } ya la tiene
       *[other] citas al día, y el { $date } ya las tiene
    }
e-service_daily_limit_reached = Este servicio se limita a { $a } { $a ->
        [one] cita al día, y el { $date } ya la tiene
       *[other] citas al día, y el { $date } ya las tiene
    }
e-the_day_is_full_try_another_day = el día está lleno: pruebe otro día (appt next)
e-series_cannot_be_booked = { $n } de { $total } citas de la serie no se pueden reservar ({ $list }): no se cambió nada
e-series_cannot_be_moved = { $n } de { $total } citas de la serie no se pueden mover ({ $list }): no se cambió nada
e-series_skip_conflicts_hint = --skip-conflicts reserva las demás
e-series_move_hint = mueva o cancele primero las que fallan
e-series_too_long = una serie tiene como máximo { $a } citas; esta tendría { $n }
e-not_part_of_a_series = la cita { $a } no es parte de una serie
e-until_before_first = until ({ $until }) es anterior a la primera fecha ({ $first })
e-prefix_starts_several_series = { $input } es el comienzo de más de una serie: escriba más
e-repeat_daily_or_weekly = repeat debe ser daily o weekly
e-walk_in_cannot_repeat = una llegada sin cita no se repite
e-every_must_be_between = every debe estar entre 1 y { $a }
e-count_or_until_not_both = indique count o until, no ambos
e-series_needs_count_or_until = una serie necesita count o until
e-count_must_be_between = count debe estar entre 1 y { $a }
e-repeat_fields_need_repeat = every, count, until y skip_conflicts necesitan repeat (daily o weekly)
e-series_moves_by_time = una serie se mueve solo a otra hora: indique --time, no --date, --at ni --doctor
e-time_required_to_move_series = mover una serie necesita --time
e-max_per_day_must_be = max_per_day debe ser un número entero de { $a } a { $b }, o none (se recibió '{ $raw }')
e-an_id_prefix_needs_at_least_4 = Un prefijo de ID necesita al menos 4 caracteres
e-an_appointment_can_be_marked_no_show = Una cita solo se puede marcar como ausente después de su hora de inicio
e-another_patient_has_phone = Otro paciente tiene el teléfono { $a }
e-appointment_time_is_in_the_past = La hora de la cita ya pasó
e-appointments_can_be_booked_at_most_ahead = Las citas se pueden reservar con { $a } de anticipación como máximo
e-appointments_need_at_least_notice = Las citas necesitan al menos { $a } de aviso
e-cancel_with_appt_cancel_id_reason_r = Cancele con `appt cancel ID --reason R`
e-cannot_cancel_a_appointment = No se puede cancelar una cita { $a }
e-cannot_mark_a_appointment_as_no_show = No se puede marcar como ausente una cita { $a }
e-cannot_move_a_appointment_back_to = No se puede regresar una cita { $a } a { $b }
e-cannot_reschedule_a_appointment = No se puede reprogramar una cita { $a }
e-cannot_update_a_appointment = No se puede modificar una cita { $a }
e-doctor_is_not_available_at_the_requested = El médico no está disponible a esa hora
e-too_close_to_another_appointment_buffer = El médico no está disponible a esa hora: queda demasiado cerca de otra cita (margen)
e-too_close_to_another_booking_buffer = Esta hora queda demasiado cerca de otra reserva (margen)
e-email_must_look_like_name_example_com = El correo debe verse como nombre@ejemplo.com
e-file_must_not_be_empty = FILE no puede estar vacío
e-http = HTTP { $code }
e-i_o_error = Error de E/S: { $e }
e-the_terminal_failed = la terminal falló: { $e }
e-board_by = --by debe ser médico (doctor) o recurso (resource), no { $s }
e-appt_board_is_a_screen = appt board es una pantalla: --json no tiene nada que imprimir (pruebe appt agenda --json)
e-appt_board_needs_a_terminal = appt board necesita una terminal en stdin y stdout (para imprimir el día: appt agenda)
e-json_error = Error de JSON: { $e }
e-must_be_an_rfc_3339_date_time = Debe ser una fecha y hora RFC 3339 con desfase, p. ej. 2026-06-15T14:00:00-06:00
e-must_be_longer_than_0m = Debe ser mayor que 0m
e-must_be_on_or_off_got = Debe ser on u off (se recibió '{ $s }')
e-national_id_must_be_1_to_64 = El DUI debe tener de 1 a 64 caracteres
e-no_free_slots_on = No hay turnos libres el { $a }: { $b }
e-no_slot_is_left_in_the_window = No queda cupo en el horario abierto ahora ({ $a })
e-nothing_to_change_give_reason_notes_diagnosis = Nada que cambiar: indique --reason, --notes, --diagnosis, --prescription, --follow-up, --urgency, --modality, --visit-type o --payer
e-overlaps_the_window = Se traslapa con el horario { $a } ({ $b })
e-patient_already_has_an_active_appointment_for = El paciente ya tiene una cita activa para este servicio en esta fecha
e-postgresql_connection_failed = Falló la conexión a PostgreSQL: { $why }
e-reminder_offsets_must_be_longer_than_0m = Los avisos de recordatorio deben ser mayores que 0m
e-several_clinics_exist_give_clinic_name_or = Hay varias clínicas: indique --clinic NOMBRE (o defina APPT_CLINIC)
e-the_appointment_starts_within_the_clinic_s = La cita empieza dentro del plazo de cancelación de la clínica ({ $a })
e-the_time_zone_cannot_change_once_the = La zona horaria no puede cambiar cuando la clínica ya tiene citas
e-the_visit_is_on_it_can_be = La consulta es el { $visit }: se puede marcar { $a } ese día o después
e-the_window_for_this_time_is_closed = El horario de esta hora está cerrado
e-the_window_has_upcoming_appointments_close_it = El horario tiene { $n } { $n ->
        [one] cita próxima
       *[other] citas próximas
    }; ciérrelo en lugar de borrarlo
e-the_window_takes_only = El horario { $window } solo atiende { $a }
e-type_a_value_ctrl_c_to_stop = Escriba un valor (Ctrl-C para salir)
e-type_a_whole_number_of_minutes = Escriba un número entero de minutos
e-unknown_appointment_type = Tipo de cita desconocido '{ $input }'
e-unknown_message_status = Estado de mensaje desconocido '{ $s }': use pendiente, enviado, fallido, cancelado o vencido; en inglés también pending, sent, failed, cancelled, expired
e-unknown_message_kind_word = Tipo de mensaje desconocido '{ $s }': use recordatorio, confirmación, reprogramada, cancelación, oferta o control; en inglés también reminder, confirmation, rescheduled, cancelled, waitlist_offer, recall
e-unknown_status = Estado desconocido '{ $s }': use programada, confirmada, llegó (o en sala), en consulta, atendida, cancelada o ausente; en inglés también scheduled, confirmed, checked_in, in_progress, completed, cancelled, no_show
e-appt_show_shows_it_booking_again_with = `appt show { $a }` la muestra; reservar otra vez con el mismo --external-ref la devuelve en lugar de reservar dos veces
e-a_key_must_be_64_hex_characters = una llave debe tener 64 caracteres hexadecimales (32 bytes)
e-a_key_s_version_before_must_be = la versión de una llave (antes de ':') debe ser un número entero desde 1
e-a_second_doctor_of_that_name_needs = un segundo médico con ese nombre necesita --same-name (y una --specialty para distinguirlos)
e-a_stored = un(a) { $a } guardado { $problem }
e-a_walk_in_is_booked_now_give = una cita sin previa se reserva ahora: no indique fecha, hora ni at
e-a_row_has_for_its_id = una fila de { $table } tiene { $a } como ID
e-active_must_be_true_or_false = active debe ser true o false
e-format_must_be_json_or_fhir = format debe ser json o fhir
e-add_force_to_do_it_anyway = agregue --force para hacerlo de todos modos
e-add_one_with_appt_doctor_add_name = agregue uno con `appt doctor add NOMBRE`
e-add_sslmode_verify_full_and_sslrootcert_file = agregue sslmode=verify-full y sslrootcert=ARCHIVO a la URL (o sslmode=require), o sslmode=disable para aceptarlo
e-and_weekdays_are_both_given_or_both = y los días de la semana se dan juntos o faltan juntos
e-another_appt_or_another_program_is_writing = otro appt u otro programa está escribiendo; intente de nuevo en un momento
e-appt_backup_copies_a_database_file_a = appt backup copia un archivo de base de datos; una base PostgreSQL se respalda con pg_dump
e-appt_demo_seeds_a_database_file_of = appt demo crea su propio archivo de base de datos; dé a --db la ruta de un archivo, no un servidor
e-cannot_connect_to_no_answer_from_the = no se puede conectar a { $shown }: el servidor no respondió en { $a } s
e-cannot_connect_to = no se puede conectar a { $shown }: { $why }
e-cannot_create_database = no se puede crear la base de datos { $a }: { $e }
e-cannot_create_folder = no se puede crear la carpeta { $a }: { $e }
e-cannot_create = no se puede crear { $a }: { $e }
e-cannot_find_a_data_folder_for_the = no se encuentra una carpeta de datos para la base de demostración; indique --db RUTA
e-cannot_find_a_home_folder_for_the = no se encuentra una carpeta personal para la base de datos; indique --db RUTA
e-cannot_format_a_calendar_line = no se puede dar formato a una línea del calendario
e-cannot_make_database_there_is_no_folder = no se puede crear la base de datos { $a }: no existe la carpeta { $b }
e-cannot_move_the_copy_into_place_at = no se puede poner la copia en su lugar en { $shown }: { $e }
e-cannot_open_database = no se puede abrir la base de datos { $a }: { $b }
e-cannot_read_sslrootcert = no se puede leer sslrootcert { $shown }: { $io }
e-cannot_read_the_import = no se puede leer la importación: { $e }
e-cannot_read_the_secret_from = no se puede leer el secreto de { $from }: { $e }
e-cannot_read = no se puede leer { $a }: { $e }
e-cannot_start_connecting = no se puede empezar a conectar: { $e }
e-cannot_start_sh = no se puede iniciar sh: { $e }
e-cannot_upgrade_to_schema_version = no se puede actualizar { $shown } a la versión de esquema { $a }: { $b }
e-copy_is_short = la copia de { $table } tiene { $b } filas y la tabla tiene { $a }
e-shape_unread = no se pudo leer la forma de { $table } para copiarla con sus ID de 16 bytes
e-cannot_use = no se puede usar { $shown }: { $a }
e-cannot_write_a_csv_row = no se puede escribir una fila CSV: { $other }
e-cannot_write_to_standard_output = no se puede escribir en la salida estándar: { $e }
e-cannot_write_to = no se puede escribir en { $a }: { $e }
e-capacity_must_be_between_1_and_1000 = la capacidad debe estar entre 1 y 1000
e-check_that_the_server_is_running_and = revise que el servidor esté funcionando y que --db (o APPT_DB) sea correcto
e-check_that_the_server_is_running_and_2 = revise que el servidor esté funcionando y accesible, y el host y el puerto
e-command_exited_with = el comando terminó con { $c }
e-command_ran_past_s_and_was_killed = el comando pasó de { $a }s y se detuvo
e-command_was_killed_by_a_signal = el comando fue detenido por una señal
e-create_one_with_appt_clinic_add_name = cree una con `appt clinic add NOMBRE --timezone TZ`
e-database_constraint_failed = falló una restricción de la base de datos: { $e }
e-database_error = error de la base de datos: { $e }
e-database_is_locked_by_another_process = la base de datos está bloqueada por otro proceso: { $e }
e-date_and_time_or_at_are_required = faltan la fecha y la hora (o at)
e-date_and_time_are_required = faltan la fecha y la hora
e-days_must_be_between_1_and_31 = los días deben estar entre 1 y 31
e-did_you_mean = ¿quiso decir { $a }?
e-doctor_or_clinic_wide_is_required = falta el médico (o clinic_wide)
e-external_ref_must_be_at_most_200 = external_ref debe tener como máximo 200 caracteres
e-find_the_with_appt_list_search_text = busque { $a ->
        [clinic] la clínica
        [doctor] al médico
        [service] el servicio
        [patient] al paciente
        [appointment] la cita
        [window] el horario
        [webhook] el webhook
        [closure] el cierre
       *[other] el registro
    } con `appt { $b } list --search TEXTO`
e-free_later_that_day_at = libre más tarde ese día a las { $a }
e-give_db_or_appt_db_the_path = dé a --db (o APPT_DB) la ruta de un archivo de base de datos
e-give_db_an_empty_database_or_one = dé a --db una base de datos vacía, o una creada por appt
e-give_db_the_path_of_an_appt = dé a --db la ruta de una base de datos de appt, o un nombre de archivo nuevo
e-give_more_characters_of_the_id = indique más caracteres del ID
e-give_sslrootcert_file_the_ca_that_signed = indique sslrootcert=ARCHIVO (la CA que firmó el certificado del servidor), o sslrootcert=system
e-give_the_appointment_s_id = indique el ID de la cita
e-give_the_demo_another_db_path_or = dé a la demostración otro --db RUTA, o mueva antes ese archivo
e-holds_appt_cannot_read_there = contiene { $a } que appt no puede leer ahí
e-is_null = es NULL
e-is_not_a_json_object = no es un objeto JSON ({ $e })
e-is_not_after_start_minute = no es posterior a start_minute
e-is_not_after_starts_at = no es posterior a starts_at
e-it_belongs_to_another_program_application_id = pertenece a otro programa: application_id { $other }
e-it_holds_another_program_s_tables = contiene tablas de otro programa
e-it_is_not_a_regular_file = no es un archivo normal
e-it_stopped_unexpectedly = se detuvo inesperadamente
e-it_vanished_while_being_made = desapareció mientras se creaba
e-its_user_version_is = su user_version es { $v }
e-limit_must_be_1_or_more = el límite debe ser 1 o más
e-limit_must_be_between_1_and_100 = el límite debe estar entre 1 y 100
e-limit_must_be_between_1_and_100000 = el límite debe estar entre 1 y 100000
e-limit_must_be_between_1_and_500 = el límite debe estar entre 1 y 500
e-make_the_folder_first_or_give_db = cree primero la carpeta, o dé a --db (o APPT_DB) otra ruta
e-minutes_must_be_a_whole_number = los minutos deben ser un número entero
e-no_active_doctor_has_windows_at = ningún médico activo{ $what } tiene horarios en { $a }
e-no_answer_from_the_server_within_s = el servidor no respondió en { $a } s
e-no_key_in_it = no contiene ninguna llave
e-no_row_from = ninguna fila de: { $sql }
e-nobody_is_waiting_for_today = no hay nadie en sala para { $a } hoy
e-not_a_booking_request_the_line_is = no es una solicitud de reserva: la línea pasa de { $a } KiB
e-not_a_booking_request_the_line_is_2 = no es una solicitud de reserva: la línea no es texto UTF-8 (un byte inválido en la columna { $a })
e-not_a_booking_request = no es una solicitud de reserva: { $why }
e-json_expected_value = se esperaba un valor JSON
e-json_expected_ident = no es JSON (se esperaba true, false o null)
e-json_invalid_type = tipo no válido: { $a }; se esperaba { $b }
e-json_unknown_field = campo desconocido { $a }; se esperaba uno de { $b }
e-json_missing_field = falta el campo { $a }
e-json_duplicate_field = campo repetido { $a }
e-json_eof_object = la línea termina antes de cerrar el objeto
e-json_eof_value = la línea termina antes de un valor
e-json_eof_string = la línea termina dentro de un texto
e-json_eof_list = la línea termina antes de cerrar la lista
e-json_trailing_characters = sobran caracteres después del objeto
e-json_trailing_comma = sobra una coma al final
e-json_key_must_be_a_string = los nombres de campo deben ir entre comillas
e-json_expected_colon = se esperaba `:`
e-json_expected_comma_or_brace = se esperaba `,` o `{ "}" }`
e-json_invalid_number = número no válido
e-page_is_too_large = la página es demasiado grande
e-page_must_be_1_or_more = la página debe ser 1 o más
e-patient_or_phone_is_required_2 = falta el paciente o el teléfono
e-prompt_failed = falló la pregunta: { $e }
e-run_appt_init_to_make_one_there = ejecute `appt init` para crear una ahí, o dé a --db (o APPT_DB) la ruta de la suya
e-source_must_be_one_of = source debe ser uno de { $a }
e-sslmode_is_not_one_of_disable_allow = sslmode '{ $value }' no es uno de disable, allow, prefer, require, verify-ca, verify-full
e-pool_mode_is_not_one_of = pool_mode '{ $value }' no es uno de session, transaction
e-target_session_attrs_is_not_one_of = target_session_attrs '{ $value }' no es uno de any, read-write, read-only, primary, standby, prefer-standby
e-found_no_standby_among = no se puede conectar a { $shown }: el servidor que respondió de solo lectura no es un standby (target_session_attrs=standby)
e-the_server_takes_no_writes = el servidor no acepta escrituras: es un standby, o está en solo lectura
e-name_the_primary_or_every_server = nombre el primario, o todos los servidores con target_session_attrs=read-write
e-read_db_must_name_a_postgresql_server = --read-db debe nombrar un servidor PostgreSQL (postgres://… o host=…)
e-read_db_needs_a_postgresql_db = --read-db necesita una --db PostgreSQL: un archivo SQLite no tiene standby
e-sslmode_needs_a_host_name_or_address = sslmode={ $a } necesita un nombre de host o una dirección, no un socket local
e-sslnegotiation_direct_needs_sslmode_require_or_stronger = sslnegotiation=direct necesita sslmode=require o más fuerte, no { $a }
e-sslrootcert_holds_a_certificate_appt_cannot_use = sslrootcert { $shown } contiene un certificado que appt no puede usar: { $e }
e-sslrootcert_holds_no_certificate = sslrootcert { $shown } no contiene ningún certificado
e-sslrootcert_is_not_a_pem_file = sslrootcert { $shown } no es un archivo PEM: { $e }
e-sslrootcert_system_needs_sslmode_verify_full_not = sslrootcert=system necesita sslmode=verify-full, no { $a }
e-sslrootcert_system_this_machine_has_no_trusted = sslrootcert=system: esta máquina no tiene certificados de CA de confianza
e-status_must_be_confirmed_checked_in_in = el estado debe ser confirmada, llegó (o en sala), en consulta, atendida o ausente; en inglés también confirmed, checked_in, in_progress, completed, no_show
e-temporary_file_exists = el archivo temporal ya existe
e-the_connection_to_is_not_encrypted_patient = la conexión a { $shown } no está cifrada: los datos de pacientes viajan sin protección por la red
e-the_database_holds_a_value_appt_did = la base de datos contiene un valor que appt no escribió; `appt check` muestra cada una de esas filas
e-the_database_is_locked_by_another_session = la base de datos sigue bloqueada por otra sesión después de 10 s
e-the_database_stayed_locked_for_10_s = la base de datos siguió bloqueada 10 s; no se escribió ningún respaldo
e-the_file_is_not_a_usable_appt = el archivo no es una base de datos de appt utilizable: { $e }
e-the_key_file_changed_during_the_rotation = el archivo de llave { $a } cambió durante la rotación y quedó como estaba; debe contener la llave de la versión { $b }: `appt check` lo indica
e-the_keyring_lacks_its_current_key = al llavero le falta su llave actual
e-the_national_id_key_file_is_damaged = el archivo de llave de DUI { $a } está dañado (debe contener 64 caracteres hexadecimales); restáurelo de un respaldo, o ponga la llave en APPT_KEY
e-the_secret_in_is_empty = el secreto en { $from } está vacío
e-the_secret_in_is_longer_than_bytes = el secreto en { $from } pasa de { $SECRET_LIMIT } bytes
e-the_secret_in_is_not_utf_8 = el secreto en { $from } no es texto UTF-8
e-the_server_does_not_support_tls_which = el servidor no admite TLS, que sslmode={ $a } exige
e-the_server_gave_up_on_a_statement = el servidor abandonó una instrucción después de { $a } s ({ $b })
e-the_server_may_be_overloaded_try_again = el servidor puede estar sobrecargado; intente de nuevo en un momento
e-the_server_needs_the_btree_gist_extension = el servidor necesita la extensión btree_gist (en postgresql-contrib)
e-there_is_no_database_at = no hay una base de datos en { $a }
e-to_must_be_after_from = to debe ser posterior a from
e-to_must_not_be_before_from = to no puede ser anterior a from
e-transfer_of_copied_rows_of_nothing_was = la transferencia de { $table } copió { $has } filas de { $had }; no se escribió nada
e-every_row_was_copied_but_vacuuming_the = se copiaron todas las filas, pero no se pudo hacer VACUUM de la copia: { $a }
e-run_vacuum_freeze_analyze_on_its_tables = ejecute VACUUM (FREEZE, ANALYZE) en sus tablas; hasta entonces, las consultas de los primeros días serán más lentas
e-try_again_in_a_moment = intente de nuevo en un momento
e-two_different_keys_claim_version = dos llaves distintas dicen ser la versión { $version }
e-unexpected_result_from_sqlite_s_backup = resultado inesperado del respaldo de SQLite
e-valid_to_must_not_be_before_valid = valid_to no puede ser anterior a valid_from
e-write_it_as_key_value_pairs_a = escríbala como pares clave=valor, con comillas simples si un valor tiene espacios
e-write_it_as_postgres_user_password_host = escríbala como postgres://USUARIO:CLAVE@HOST:PUERTO/BASE (o host=… dbname=… user=…)
e-does_not_exist_in_the_clocks_skip = { $date } { $a } no existe en { $b } (el reloj se la salta)
e-is_not_at_that_utc_offset_in = { $date } { $a } no corresponde a ese desfase UTC en { $b }
e-or_an_rfc_3339_time_such_as = { $e }; o una hora RFC 3339 como 2026-06-15T08:00:00-06:00
e-must_be_at_most_200_characters = { $field } debe tener como máximo 200 caracteres
e-must_be_at_most_characters = { $field } debe tener como máximo { $MAX_TEXT } caracteres
e-must_be_between_and_minutes = { $field } debe estar entre { $lo } y { $hi } minutos
e-must_be_one_of = { $field } debe ser uno de { $a }
e-must_not_be_empty = { $field } no puede estar vacío
e-is_not_valid_text = { $name } no es texto válido
e-has_passed = { $on } ya pasó
e-is_locked_by_another_process_past_the = { $path } está bloqueada por otro proceso después de { $a } s
e-is_not_a_usable_appt_database = { $path } no es una base de datos de appt utilizable: { $a }
e-is_not_an_appt_database_not_an = { $path } no es una base de datos de appt (no es un archivo SQLite)
e-is_not_an_instant_between_the_years = { $secs } no es un instante entre los años 1 y 9999
e-already_exists_give_force_to_replace_it = { $shown } ya existe; indique --force para reemplazarlo
e-has_schema_version_newer_than_this_appt = { $shown } tiene la versión de esquema { $v }, más nueva de la que conoce este appt ({ $target }); actualice appt
e-is_a_folder = { $shown } es una carpeta
e-is_not_a_file_name = { $shown } no es un nombre de archivo
e-is_not_a_regular_file_a_device = { $shown } no es un archivo normal (un dispositivo, un FIFO o un socket)
e-is_not_a_valid_postgresql_connection_string = { $shown } no es una cadena de conexión PostgreSQL válida: { $why }
e-is_not_an_appt_database_it_holds = { $shown } no es una base de datos de appt (contiene otras tablas); appt la deja como está
e-is_open_in_another_program_or_was = { $shown } está abierta en otro programa o no se cerró bien (existe { $shown }-wal); no se reemplaza
e-is_the_database_itself = { $shown } es la propia base de datos
e-row = { $table } fila { $id }: { $column } { $problem }
e-is_not_empty_its_table_has_rows = { $target } no está vacía (su tabla { $table } tiene filas); transfer solo copia a una base de datos vacía
e-does_not_exist_that_month_has_no = { $t } no existe: ese mes no tiene día { $a }
e-does_not_exist_there_is_no_month = { $t } no existe: no hay mes { $a }
e-is_below = { $v } es menor que { $lo }
e-is_outside_to = { $v } está fuera de { $lo } a { $hi }
e-can_be_read_or_written_by_others = { $a } puede ser leído o escrito por otros (modo { $mode }) y es de otro usuario (uid { $b }): appt no cambia archivos ajenos; pida a su dueño que ejecute `chmod 600 { $c }`
e-can_be_read_or_written_by_others_2 = { $a } puede ser leído o escrito por otros (modo { $mode }) y no se puede hacer privado: { $e }; ejecute `chmod 600 { $b }`
e-failed_they_are_retried_on_a_later = { $a } fallaron; se reintentan en una próxima ejecución
e-found_in = { $a } encontrados en { $location }
e-is_null_2 = { $a } es NULL
e-is_inactive = { $a } está inactivo
e-is_not_a_json_object_2 = { $a } no es un objeto JSON
e-is_not_a_database_file_it_is = { $a } no es un archivo de base de datos (es { $b })
e-is_not_a_date_yyyy_mm_dd = { $a } no es una fecha (AAAA-MM-DD)
e-is_not_a_list_of_reminder_offsets = { $a } no es una lista de avisos de recordatorio en minutos
e-is_not_a_regular_file_leave_out = { $a } no es un archivo normal: quite --output para escribir en la salida estándar
e-is_not_a_time_zone = { $a } no es una zona horaria
e-is_not_an_appt_database_appt_leaves = { $a } no es una base de datos de appt ({ $why }); appt la deja como está
e-is_not_one_of = { $a } no es uno de { $b }
e-rejected_the_first_line = { $a } sin reservar; la primera, línea { $b }: { $c }
e-works_at_several_clinics_give_clinic = { $a } atiende en varias clínicas: indique --clinic
e-token_on_is_held_by_appointments = { $a }: la ficha { $b } del { $c } la tienen { $d } citas
e-the_change_was_saved_all_the_same = { $a }; el cambio quedó guardado de todos modos: { $what }
e-doctor_not_found = Médico no encontrado
e-appointment_not_found = Cita no encontrada
e-clinic_not_found = Clínica no encontrada
e-patient_not_found = Paciente no encontrado
e-resource_not_found = Recurso no encontrado
e-resource_busy = Ocupado a esa hora: { $a }
e-resource_busy_guard = Una sala o un equipo que la cita necesita está ocupado a esa hora
e-resource_kind = el tipo debe ser sala (room) o equipo (equipment), no { $s }
e-resource_in_use = { $name } sigue en uso: { $a } citas por venir, lo necesitan { $b } servicios
e-resource_in_use_hint = mueva o cancele esas citas y quítelo de esos servicios (service update S --needs …), o consérvelo con resource update R --active no
e-resource_of_another_clinic = { $name } es de otra clínica: lo que necesita un servicio son recursos de una misma clínica
e-resource_not_needed = { $name } no es uno que necesiten las citas de ese servicio en esta clínica: vea service list
e-visit_missing_resource = { $a }, { $b }: la cita no tiene la sala o el equipo de un grupo que su servicio necesita
e-message_not_found = Mensaje no encontrado
e-this_patient_was_erased = Este paciente fue borrado
e-window_not_found = Horario no encontrado
e-page_not_found = Página no encontrada
e-series_not_found = Serie no encontrada
e-service_not_found = Servicio no encontrado
e-checked_in_patient_not_found = No hay pacientes en sala
e-webhook_not_found = Webhook no encontrado
e-closure_not_found = Cierre no encontrado
e-waitlist_entry_not_found = Entrada de la lista de espera no encontrada
e-duration_must_look_like_90m_2h_1h30m = La duración debe escribirse como 30 min, 2 h, 2 horas, 1 día, 90m, 1h30m o 1d; en inglés también 2 hours, 1 day (se recibió '{ $s }')
e-time_must_be_in_hh_mm_format = Escriba la hora como 09:30, 9, 9am, 9:30 pm o 14h
e-the_offset_must_be_like_05_05 = El desfase debe ser como -05, -05:00 o +05:30
e-date_must_be_yyyy_mm_dd_today = La fecha debe ser hoy, mañana, pasado mañana, ayer, un día de la semana (lunes, lun), { $dm }, { $dm }/AAAA, AAAA-MM-DD, +N o -N; en inglés también today, tomorrow, yesterday, monday, mon
e-days_must_be_names_or_ranges_like = Los días deben ser nombres o rangos como lun-vie o lun,mié,vie; en inglés también mon-fri o mon,wed,fri (se recibió '{ $s }')
e-exists_and_is_not_an_appt_demo = { $a } existe y no es una base de demostración de appt; appt demo solo reemplaza la suya
e-type_must_be_one_of = el tipo de evento (--type) debe ser uno de { $a }
e-after_must_be_an_event_id_0 = --after debe ser un ID de evento (0 o más)
e-url_must_be_an_http_or_https = La URL debe ser una dirección http:// o https://
e-events_must_be_some_of = events debe ser algunos de { $a }
e-national_ids_in_a_server_database_are = los DUI en una base de datos de servidor se sellan con APPT_KEY, que no está definida; ponga en APPT_KEY la llave del grupo de clínicas (64 caracteres hexadecimales): una base de servidor no tiene archivo de llave
e-cannot_read_the_national_id_key_file = no se puede leer el archivo de llave de DUI { $a }: { $e }; o defina APPT_KEY
e-cannot_create_the_national_id_key_file = no se puede crear el archivo de llave de DUI { $a }: { $e }; o defina APPT_KEY
e-key_cannot_keep_old = no se puede guardar la llave de DUI anterior en { $a }: { $e }; o defina APPT_KEY
e-key_cannot_write = no se puede escribir el archivo de llave de DUI { $a }: { $e }; o defina APPT_KEY
e-key_versions = { $n ->
        [one] la llave versión { $list }
       *[other] las llaves versiones { $list }
    }
e-key_source_env = APPT_KEY tiene { $holds }
e-key_source_file = el archivo de llave { $file } tiene { $holds }
e-key_sealed_newer = { $source }, pero los DUI de esta base de datos están sellados con la llave versión { $v }, una llave más nueva (creada por appt key rotate)
e-key_sealed_older = { $source }, pero los DUI de esta base de datos están sellados con la llave versión { $v }, una llave más antigua (un cambio de llave que creó la más nueva no terminó, o la base de datos es una copia anterior)
e-key_want_env = { $what }; ponga en APPT_KEY la llave versión { $v }, o quítela para usar el archivo de llave { $file }
e-key_want_kept = { $what }; la llave versión { $v } está guardada en { $kept }: devuélvala como { $file }, o ponga esa llave en APPT_KEY
e-key_want_restore = { $what }; restaure el archivo de llave que la tiene, o ponga esa llave en APPT_KEY
e-key_env_opens_nothing = APPT_KEY no abre los DUI de esta base de datos; ponga en APPT_KEY la llave con que se sellaron, o quítela para usar el archivo de llave { $file }
e-key_file_opens_nothing = el archivo de llave { $file } no abre los DUI de esta base de datos: tiene otra llave; restaure el archivo de llave correcto, o ponga en APPT_KEY la llave correcta
e-key_file_missing = falta el archivo de llave de DUI { $file }, y esta base de datos tiene DUI sellados con él; restaure ese archivo, o ponga su llave en APPT_KEY (appt no crea una llave nueva mientras haya DUI sellados)
e-key_no_file = (ninguno: la base de datos no tiene archivo)
e-key_file_of_another_user = el archivo de llave de DUI { $file } es de otro usuario (uid { $owner }), no del usuario que ejecuta appt (uid { $me }): appt solo usa un archivo de llave de su propio usuario; si es suyo, ejecute `chown { $me } { $file }` como root, o defina APPT_KEY
e-key_file_not_private = otros pueden leer o escribir el archivo de llave de DUI { $file } (modo { $mode }); appt solo usa un archivo de llave privado: ejecute `chmod 600 { $file }` (y, si alguien pudo leerlo, `appt key rotate`), o defina APPT_KEY
e-sslmode_needs_a_server_with_tls_on = sslmode={ $a } necesita un servidor con TLS activo (ssl = on); o baje sslmode
e-is_required = falta { $flag }
e-reminder_deliveries = { $n } { $n ->
        [one] envío de recordatorio
       *[other] envíos de recordatorios
    }
e-webhook_deliveries = { $n } { $n ->
        [one] envío de webhook
       *[other] envíos de webhooks
    }
e-lines = { $n } { $n ->
        [one] línea
       *[other] líneas
    }
e-problems = { $n } { $n ->
        [one] problema
       *[other] problemas
    }
e-joined = { $a }; { $b }
e-or = { $a } o { $b }
e-the_check_could_not_run = la revisión { $check } no se pudo hacer: { $a }
e-sqlite_s_found_the_file_damaged = { $pragma } de SQLite encontró el archivo dañado ({ $a })
e-rows_of_point_at_that_do_not = { $n } { $n ->
        [one] fila de { $table } apunta a un registro de { $parent } que no existe
       *[other] filas de { $table } apuntan a registros de { $parent } que no existen
    } (columna { $c })
e-active_appointments_at_once_at_over_the = { $a }: { $b } citas activas a la vez a las { $c }, más que el cupo del horario ({ $d })
e-active_appointments_at_once_buffers_included = { $a }: { $b } citas activas a la vez, márgenes incluidos, a las { $c }, más que el cupo del horario ({ $d })
e-token_on_is_above_the_date_s = { $a }: la ficha { $b } del { $c } pasa del contador de fichas del día, así que la próxima reserva la volvería a recibir
e-the_appointment_has_no_appointment_booked_event = { $a }, { $b }: la cita no tiene el evento appointment.booked
e-a_reminder_is_still_pending_but_its = un recordatorio sigue pendiente, pero su cita está { $a }
e-an_erased_patients_row_holds_more = la fila de un paciente borrado guarda más que el marcador: bórrelo de nuevo (`appt patient erase ID --reason TEXTO`)
e-events_still_hold_an_erased_patients = hay eventos que aún guardan el nombre o el teléfono de un paciente borrado: bórrelo de nuevo (`appt patient erase ID --reason TEXTO`)
e-messages_of_an_erased_patient_are_still = hay mensajes de un paciente borrado aún pendientes o con datos: bórrelo de nuevo (`appt patient erase ID --reason TEXTO`)
e-links_to_an_erased_patients_appointments = hay enlaces a citas u ofertas de un paciente borrado aún abiertos: bórrelo de nuevo (`appt patient erase ID --reason TEXTO`)
e-an_erased_patient_is_still_on_the = un paciente borrado sigue en la lista de espera: bórrelo de nuevo (`appt patient erase ID --reason TEXTO`)
col-Language = Idioma
clinic-language = Idioma
clinic-phone = Teléfono
clinic-public_url = URL pública
clinic-template = Plantilla { $a }: { $b }
e-link_not_found = Enlace no encontrado
e-language_must_be = El idioma debe ser en o es (se recibió '{ $a }')
e-clinic_phone_must_be = El teléfono de la clínica debe tener de 3 a 20 dígitos, con espacios, -, ., ( ) y un + al inicio si quiere (se recibió '{ $a }'), o none
e-public_url_must_be = La URL pública debe ser http:// o https://, un host y, si quiere, una ruta, sin usuario:contraseña, ?consulta ni #fragmento (se recibió '{ $a }'), o none
e-template_is_kind_text = Una plantilla se escribe TIPO=TEXTO, con TIPO uno de { $a } (se recibió '{ $b }')
e-unknown_message_kind = Tipo de mensaje desconocido '{ $a }': los tipos son { $b }
e-unknown_placeholder = Marcador desconocido '{ $a }' en la plantilla { $b } (los marcadores son { $c })
e-template_unmatched = La plantilla { $a } tiene un '{ $b }' sin pareja (escríbalo dos veces para el carácter mismo)
e-template_nested = La plantilla { $a } tiene un '[' dentro de otro: las partes opcionales no se anidan
e-template_too_long = La plantilla { $a } pasa de { $b } caracteres
e-link_key_cannot_create = no se puede crear el archivo de la clave de enlaces { $a }: { $e }; o defina APPT_LINK_KEY
e-link_key_vanished = no se puede crear el archivo de la clave de enlaces { $a }: desapareció mientras se creaba; o defina APPT_LINK_KEY
e-link_key_cannot_read = no se puede leer el archivo de la clave de enlaces { $a }: { $e }; o defina APPT_LINK_KEY
e-link_key_not_private = el archivo de la clave de enlaces { $a } no es el archivo privado del usuario que ejecuta appt (dueño uid { $b }, modo { $c }): hágalo suyo con modo 600, o defina APPT_LINK_KEY
e-link_key_damaged = el archivo de la clave de enlaces { $a } está dañado (debe contener 64 caracteres hexadecimales): restáurelo, o bórrelo para crear uno nuevo (los enlaces ya enviados dejan de funcionar)
e-appt_link_key_must_be = APPT_LINK_KEY debe ser de 64 caracteres hexadecimales (32 bytes)
e-make_a_link_key = cree una con `openssl rand -hex 32`
e-server_link_key = una base de datos en un servidor toma su clave de enlaces de APPT_LINK_KEY: defínala con 64 caracteres hexadecimales, la misma dondequiera que appt envíe o sirva sus enlaces
e-not_32_hex = no tiene 32 caracteres hexadecimales
e-not_an_object_of_texts = no es un objeto de textos

# appt board (src/output/board.rs, src/board/)
b-counts = { $booked } { $booked ->
        [one] cita
       *[other] citas
    } · { $free } { $free ->
        [one] libre
       *[other] libres
    } · { $arrived } en sala · { $in_progress } en consulta · { $done } { $done ->
        [one] atendida
       *[other] atendidas
    } · { $no_show } { $no_show ->
        [one] ausente
       *[other] ausentes
    }
b-recalls = { $n } { $n ->
        [one] control pendiente
       *[other] controles pendientes
    }
b-nobody = Nadie atiende este día.
b-no_slots = No hay horarios este día.
b-clinic_wide = Toda la clínica
b-closed = Cerrado
b-free = libre
b-free_service = libre (servicio)
b-free_at = { $time } libre ({ $places } { $places ->
        [one] cupo
       *[other] cupos
    }): Enter reserva
b-free_at_service = { $time } libre ({ $places } { $places ->
        [one] cupo
       *[other] cupos
    }) para { $services }: Enter reserva
b-buffer = margen
b-buffer_at = { $time } reservado: el margen alrededor de una cita
b-away = ocupado
b-away_at = { $time } ocupado en el calendario propio del médico
b-stale = ⚠ calendario desactualizado: { $names }
b-held = apartada
b-held_at = { $time } apartada para un paciente que la confirma en la página de citas
b-in_series = ↻ parte de una serie
b-queue = En sala
b-queue_empty = Nadie en sala.
b-waitlist = Lista de espera
b-waitlist_empty = Nadie en espera.
b-inbox = Mensajes
b-inbox_empty = Ningún mensaje por leer.
b-keys_inbox = ↓↑ elegir  Enter leer  r responder  d atendido  Tab/Esc volver al día
b-keys_message = Enter o Esc: cerrar · r responder · d atendido
b-no_inbox = La clínica no tiene canales, así que no hay mensajes
b-inbox_done = Mensaje { $id } atendido.
b-ask_reply = Respuesta (va por el canal por donde llegó)
b-replied = Respuesta enviada a { $to }; el mensaje queda atendido.
b-moving = Moviendo #{ $token } { $patient }: Enter en una celda libre la pone ahí, Esc la deja.
b-keys = ←↓↑→ mover  Enter reservar  c confirmar  a llegó  s iniciar  d atendida  n no vino  x cancelar  m mover  w sin cita  / buscar  [ ] día  t hoy  ? ayuda  q salir
b-keys_short = Enter reservar  c a s d n x  m mover  w sin cita  / buscar  ? ayuda  q salir
b-keys_yes_no = s y Enter: sí  n y Enter: no  Esc dejar
b-keys_prompt = Enter aceptar  Esc dejar
b-keys_moving = ←↓↑→ mover  Enter ponerla aquí  Esc dejar de mover
b-is-scheduled = programada
b-is-confirmed = confirmada
b-is-checked_in = en sala
b-is-in_progress = en consulta
b-is-completed = atendida
b-is-no_show = no vino
b-is-cancelled = cancelada
b-too_small = El tablero necesita una terminal de al menos { $width }×{ $height }.
b-help_title = Teclas
b-help = Flechas o h j k l  mover\n[  el día anterior · ]  el día siguiente · t  hoy\nEnter  reservar una celda libre (teléfono, y nombre si es nuevo)\nc confirmar · a llegó · s iniciar · d atendida · n no vino\nx cancelar (pide el motivo) · m mover, luego Enter en una celda libre\nw paciente sin cita con este médico · / buscar por nombre o teléfono\nu urgencia de la cita (! urgente, !! emergencia; + sobrecupo)\nv  salas y equipos como columnas, o los médicos de nuevo\nTab  los mensajes: Enter lee uno, r lo responde, d lo marca atendido\n? esta ayuda · q o Ctrl-C salir · Esc cierra una pregunta
b-ask_phone = Teléfono
b-ask_name = Nombre (paciente nuevo)
b-ask_service = Servicio ({ $services }; Enter: { $first })
b-ask_reason = Motivo de la cancelación
b-ask_diagnosis = Diagnóstico
b-ask_find = Buscar (nombre o teléfono)
b-not_found = Nadie encontrado para "{ $typed }".
b-no_appointment = No hay una cita seleccionada.
b-no_free = No es una celda libre: elija una libre.
b-no_doctor = No hay médico en esta columna.
b-booked = Reservada #{ $token } { $patient } a las { $time }.
b-walked_in = Sin cita previa: #{ $token } { $patient }, en sala.
b-changed = #{ $token } { $patient }: { $status }.
b-already = #{ $token } { $patient }: ya estaba { $status }.
b-cancelled = Cancelada #{ $token } { $patient }
b-moved = Movida #{ $token } { $patient } a las { $time }.
b-reconnected = Conectado de nuevo a la base de datos.
b-found = #{ $token } { $patient } el { $date } a las { $time }.

# Retención: `appt purge`, --retain-messages de una clínica (docs/privacy.md#retention)
clinic-retain_messages = Mensajes guardados
word-forever = para siempre
h-purged = Purgado: { $list }
h-would_purge = Se purgaría: { $list } (prueba: nada cambió)
purge-reminders = { $n } { $n ->
        [one] mensaje
       *[other] mensajes
    }
purge-patient_links = { $n } { $n ->
        [one] enlace de paciente
       *[other] enlaces de pacientes
    }
purge-events = { $n } { $n ->
        [one] evento vaciado
       *[other] eventos vaciados
    } de datos personales
purge-access_log = { $n } { $n ->
        [one] registro
       *[other] registros
    } de quién consultó

# Text from outside appt (a driver's or the system's words), shown as it is
text = { $text }

# check: DUI que no abren ($kind: 0 de otro paciente, 1 no de este, 2 sin
# vincular, 3 versión de clave desconocida, 4 dañado)
e-national_ids_unreadable = { $n ->
        [one] 1 DUI de paciente
       *[other] { $n } DUI de pacientes
    } { $kind ->
        [0] { $n ->
            [one] pertenece
           *[other] pertenecen
        } a otro paciente: sellado para la fila de ese paciente y copiado (o intercambiado) a esta
        [1] { $n ->
            [one] no abre
           *[other] no abren
        } para su paciente: dañado, o copiado de la fila de otro paciente
        [2] { $n ->
            [one] está
           *[other] están
        } en el formato sin vincular de un appt anterior, aunque los DUI de esta base de datos estaban vinculados a sus pacientes: copiado de una copia vieja
        [3] { $n ->
            [one] está sellado
           *[other] están sellados
        } con una versión de clave que la clave de la base de datos no tiene
       *[4] { $n ->
            [one] está dañado
           *[other] están dañados
        }: no es un valor sellado que appt pueda leer
    }; un DUI se muestra como ilegible hasta que se vuelva a dar (`appt patient update PATIENT --national-id ID`)
e-sealed_for_patient_copied = sellado para el paciente { $other }: copiado de la fila de ese paciente
e-unopened_damaged = dañado: no es un valor sellado que appt pueda leer
e-unopened_unknown_version = sellado con la versión de clave { $v }, que la clave en uso no tiene
e-unopened_unbound = en el formato sin vincular de un appt anterior, aunque los DUI de esta base de datos estaban vinculados a sus pacientes: copiado de una copia vieja
e-unopened_not_for_patient = no abre para este paciente: dañado, o copiado de la fila de otro paciente
e-holds_where_appt_keeps = contiene { $a } donde appt guarda { $b }
e-this_time_is_already_booked = Esta hora ya está reservada

# Los campos y parámetros de la API
e-field_given_more_than_once = { $name } viene más de una vez
e-field_must_be_a_whole_number = { $name } debe ser un número entero
e-field_must_be_true_or_false = { $name } debe ser true o false
e-not_a_parameter_of_this_endpoint = { $name } no es un parámetro de esta ruta
e-field_must_be_a_string = { $name } debe ser un texto
e-not_a_field_of_this_endpoint = { $name } no es un campo de esta ruta
e-field_must_not_contain_nul = { $name } no debe contener un carácter NUL
e-check_sslrootcert_and_host_name = revise sslrootcert (la autoridad que firmó el certificado del servidor) y que el nombre del servidor sea el del certificado
e-check_the_server_and_the_user = revise que el servidor esté en marcha y se pueda alcanzar (servidor y puerto), y el usuario, la contraseña y el nombre de la base de datos
e-demo_zone = no se puede leer la zona horaria de la demostración (un error de appt)
e-encryption_failed = falló el cifrado (un error de appt)
e-close_it_with = appt window close { $a }
e-back_up_a_server_with_pg_dump = pg_dump --format=custom --file=FILE 'postgres://USUARIO@SERVIDOR/BASE'
col-By = Por
e-holds_appt_cannot_read_back = contiene { $a } que appt no puede leer

# Las reglas de reserva (docs/rules.md#booking)
e-closed_on = Cerrado el { $date }
e-closed_on_reason = Cerrado el { $date }: { $reason }
e-no_availability_on = No hay horario de atención el { $date }
e-outside_availability_on = Fuera del horario de atención el { $date } (abierto { $open })
e-off_the_grid = La hora de inicio no coincide con los intervalos de { $n } minutos del horario (desde las { $from })
e-past_the_windows_end = La cita pasaría del final del horario ({ $to })
e-window_does_not_offer_service = Este horario no ofrece ese servicio
e-time_belongs_to_session = Esta hora es de la sesión { $session }

# Los días como los escribe la línea de comandos (`mon-fri`)
day-mon = lun
day-tue = mar
day-wed = mié
day-thu = jue
day-fri = vie
day-sat = sáb
day-sun = dom
h-clinic_closure = { $name } (clínica)
h-window_span = { $when } { $from }-{ $to }

# Issue 43: the desk's input, prompts, queue, phones, exports
e-too_short_for_a_phone_number_of = '{ $raw }' es muy corto para un teléfono de { $code }: se escriben como { $like }
e-too_long_for_a_phone_number_of = '{ $raw }' es muy largo para un teléfono de { $code }: se escriben como { $like }
e-not_a_phone_number_of = '{ $raw }' no es un teléfono de { $code }: se escriben como { $like }
p-yes_no_keys = [s/N]
p-answer_yes_or_no = Responda sí o no (s, sí / n, no; o en inglés y, yes)
e-date_order_must_be_dmy_or_mdy = El orden de fechas debe ser dmy (día primero) o mdy (mes primero) (se recibió '{ $o }')
clinic-date_order = Orden de fechas
order-dmy = día primero, 4/12 es el 4 de diciembre (dmy)
order-mdy = mes primero, 4/12 es el 12 de abril (mdy)
e-not_dmy_or_mdy = no es dmy ni mdy
clinic-queue_order = Orden de la fila
queue_order-time = por hora de la cita
queue_order-token = por ficha
clinic-late_after = Atrasada después de
h-late = { $status }, atrasada
b-late = atrasada, no ha llegado
b-ask_force = { $why } ¿Cancelar de todos modos? (s/n)
b-kept = No se cambió nada.
b-ask_pick = Coinciden { $n } pacientes: el número de uno
b-choose_title = ¿Cuál?
e-lateness_must_be = El atraso debe ser de 0 a 1440 minutos (se recibió '{ $a }')
e-queue_order_must_be = El orden de la fila debe ser time (por hora) o token (por ficha) (se recibió '{ $a }')
v-cancelling = Se cancela
p-force_move = ¿Moverla de todos modos (como --force)?
p-service = Servicio
p-service_item = { $name } ({ $n } min)
p-slot_minutes = Duración de cada cupo, en minutos
e-an_xlsx_export_is_a_file = Una exportación xlsx es un archivo: indique --output ARCHIVO (o redirija la salida estándar)
e-cannot_write_the_spreadsheet = no se puede escribir la hoja de cálculo: { $e }
email-subject_reminder = Recordatorio: su cita en { $clinic }, el { $date } a las { $time }
email-subject_confirmation = Cita reservada en { $clinic }: { $date } a las { $time }
email-subject_rescheduled = Cita cambiada en { $clinic }: { $date } a las { $time }
email-subject_cancelled = Cita cancelada en { $clinic }: { $date } a las { $time }
email-subject_waitlist_offer = Se liberó una hora en { $clinic }: { $date } a las { $time }
email-subject_test = Mensaje de prueba de { $clinic }
email-link_appointment = Confirmar, cancelar o cambiar su cita
email-link_offer = Reservar esta hora
email-subject_recall = Le corresponde su control en { $clinic }
email-link_recall = Reservar su hora
email-summary = Cita en { $clinic }
email-summary_with = Cita con { $doctor } en { $clinic }
ics-appointment = Cita
ics-with = { $what } con { $doctor }
ics-at = { $what } en { $clinic }
ics-for = { $patient }: { $summary }
ics-patient = Paciente
ics-phone = Teléfono
ics-patient_id = ID del paciente
ics-reason = Motivo
ics-cancellation_reason = Motivo de la cancelación
xr-sheet = Informe
xr-figure = Cifra
xr-by = Por
xr-key = Clave
xr-doctor_id = ID del médico
xr-doctor = Médico
xr-count = Cantidad
xr-of = De
xr-rate = Tasa
x-sheet = Citas
x-id = ID de la cita
x-clinic_id = ID de la clínica
x-doctor_id = ID del médico
x-patient_id = ID del paciente
x-service_id = ID del servicio
x-date = Fecha
x-start_time = Inicio
x-end_time = Fin
x-duration_minutes = Minutos
x-starts_at = Empieza (hora local)
x-ends_at = Termina (hora local)
x-timezone = Zona horaria
x-status = Estado
x-token_number = Ficha
x-source = Origen
x-session = Sesión
x-batch = Tanda
x-reason = Motivo
x-notes = Notas
x-diagnosis = Diagnóstico
x-prescription = Receta
x-follow_up_required = Control
x-follow_up_date = Fecha de control
x-cancellation_reason = Motivo de la cancelación
x-external_reference_id = Referencia externa
x-patient-id = Paciente
x-patient-full_name = Nombre del paciente
x-patient-phone = Teléfono del paciente
x-doctor-id = Médico
x-doctor-full_name = Nombre del médico
x-doctor-specialty = Especialidad
x-service-id = Servicio
x-service-name = Nombre del servicio
x-service-duration_minutes = Minutos del servicio
x-created_at = Creada (hora local)
x-updated_at = Modificada (hora local)
x-confirmed_at = Confirmada (hora local)
x-checked_in_at = Llegó (hora local)
x-started_at = En consulta (hora local)
x-completed_at = Atendida (hora local)
x-cancelled_at = Cancelada (hora local)
x-no_show_at = No se presentó (hora local)
x-series_id = Serie
h-clinic_word = Clínica
c-closure_added_day = Cerrado { $a } { $b } { $d }
e-flag_or = { $a } o { $b }
e-flag_or_also = { $a } (o { $b })
e-id_or_phone_or_name = ID (o el teléfono o el nombre del paciente)

# Quién hizo un cambio, como lo muestra `history`
actor-board = tablero ({ $who })
# Un miembro del personal y la cuenta del sistema con la que entró, en `history`.
actor-at = { $who } ({ $account })
actor-api = API ({ $who })
actor-import = importación
actor-system = appt
actor-patient = paciente

# Qué clase de consulta (docs/rules.md#visits; el JSON guarda los códigos)
urgency-normal = normal
urgency-urgent = urgente
urgency-emergency = emergencia
modality-in_person = presencial
modality-telemedicine = telemedicina
modality-home = a domicilio
visit_type-first = primera vez
visit_type-follow_up = subsecuente
card-Urgency = Urgencia
card-Modality = Modalidad
card-Visit = Consulta
card-Payer = Pagador
e-unknown_urgency = Urgencia desconocida '{ $s }': use normal, urgente o emergencia; en inglés también normal, urgent, emergency
e-unknown_channel_preference = Canal desconocido '{ $s }': use whatsapp, sms, correo o ninguno; en inglés también email, none
e-unknown_modality = Modalidad desconocida '{ $s }': use presencial, telemedicina o domicilio; en inglés también in_person, telemedicine, home
e-unknown_visit_type = Tipo de consulta desconocido '{ $s }': use primera vez, control o seguimiento; en inglés también first, follow_up
e-unknown_payer_none_kept = Pagador desconocido '{ $typed }': la clínica no tiene pagadores (clinic update --payers)
e-unknown_payer = Pagador desconocido '{ $typed }': use uno de estos: { $listed }
e-video_url_must_be = El enlace de video debe empezar con http:// o https:// y llevar un servidor, sin espacios ni usuario:contraseña (se recibió '{ $raw }'), o none
e-not_a_value_appt_writes = { $a } no es un valor que appt escriba ahí
clinic-payers = Pagadores
clinic-video_url = Enlace de video
# Sobrecupos (docs/rules.md#overbooking).
clinic-max_overbook = Sobrecupos/día
e-overbookings_used_up = { $n ->
    [0] Esta clínica no permite sobrecupos (clinic update --max-overbook-per-day)
    [one] El médico ya tiene el { $n } sobrecupo que la clínica permite ese día
   *[other] El médico ya tiene los { $n } sobrecupos que la clínica permite ese día
}
e-max_overbook_per_day_between = max_overbook_per_day debe ser un número entero de 0 a { $max } (se recibió { $n })
e-overbook_needs_a_doctor = Un sobrecupo necesita un médico: una ventana de toda la clínica no admite sobrecupos
e-overbook_needs_a_reason = Un sobrecupo necesita un motivo: --overbook MOTIVO, o --reason
e-overbook_one_visit_with_a_doctor = Un sobrecupo es una sola cita con un médico: no una llegada sin cita, una serie ni una ventana de toda la clínica
e-field_must_be_an_object = { $name } debe ser un objeto
h-marks = ! urgente · !! emergencia · + sobrecupo
b-overbooked = + sobrecupo
card-Overbooked = Sobrecupo
card-overbooked_value = { $reason } (por { $by }, sobre { $rule })
e-count_by_one_of = No se puede contar por '{ $s }': use uno de estos: { $a }
h-count_none = (ninguno)
col-Count = Cantidad
col-Urgency = Urgencia
col-Modality = Modalidad
col-Visit = Visita
col-Payer = Pagador
h-total = Total
b-ask_urgency = Urgencia (normal, urgente, emergencia)
b-urgency_set = Urgencia cambiada: #{ $token } { $patient }
e-usage_unknown_argument = opción inesperada '{ $arg }'
e-usage_unknown_argument_like = opción inesperada '{ $arg }'; ¿quiso decir '{ $like }'?
e-usage_unknown_command = orden desconocida '{ $command }'
e-usage_unknown_command_like = orden desconocida '{ $command }'; ¿quiso decir '{ $like }'?
e-usage_missing_value = falta el valor de '{ $arg }'
e-usage_missing_value_of = falta el valor de '{ $arg }' (valores posibles: { $values })
e-usage_invalid_value = valor no válido '{ $value }' para '{ $arg }'
e-usage_invalid_value_of = valor no válido '{ $value }' para '{ $arg }' (valores posibles: { $values })
e-usage_missing_argument = { $n ->
        [one] falta el argumento obligatorio { $args }
       *[other] faltan los argumentos obligatorios { $args }
    }
e-usage_missing_command = '{ $command }' necesita una orden: { $commands }
e-usage_conflict = '{ $arg }' no se puede usar junto con '{ $other }'
e-usage_once = '{ $arg }' no se puede dar más de una vez
e-usage_no_equals = '{ $arg }' lleva su valor tras un signo igual (=)
e-usage_values_count = '{ $arg }' recibió un número equivocado de valores
e-usage_not_utf8 = la línea de órdenes no es UTF-8 válido
e-usage_invalid = argumentos no válidos
e-usage_help = ejecute `{ $command } --help` para ver lo que acepta
io-not_found = no existe el archivo o la carpeta
io-permission_denied = permiso denegado
io-already_exists = el archivo ya existe
io-is_a_directory = es una carpeta
io-not_a_directory = no es una carpeta
io-read_only_filesystem = sistema de archivos de solo lectura
io-storage_full = no queda espacio en el disco
io-quota_exceeded = se superó la cuota de disco
io-broken_pipe = la tubería se cerró
io-timed_out = se agotó el tiempo de conexión
io-connection_refused = conexión rechazada
p-payer = Quién paga
p-no_payer = (ninguno de estos)
x-urgency = Urgencia
x-modality = Modalidad
x-visit_type = Tipo de visita
x-payer = Pagador
x-overbooked-reason = Sobrecupo: motivo
x-overbooked-by = Sobrecupo: quién
x-overbooked-rule = Sobrecupo: regla
h-page_of = Página { $page } de { $pages } ({ $total ->
    [one] { $total } cita
   *[other] { $total } citas
})
overbook_rule-APPOINTMENT_CONFLICT = la hora ocupada
overbook_rule-SLOT_FULL = los cupos llenos
overbook_rule-DAILY_LIMIT = el límite diario
overbook_rule-OUTSIDE_AVAILABILITY = fuera del horario
overbook_rule-SLOT_INACTIVE = una ventana cerrada
overbook_rule-INVALID_TIME_SLOT = el intervalo de la ventana
# Canales (appt channel …)
c-channel_added = Canal { $a } ({ $b }) agregado a { $c }, número { $n } en su orden
c-channel_remove_q = ¿Quitar el canal { $a } de { $b }?
c-channel_removed = Canal quitado: { $a } de { $b }
c-channel_test_sent = Mensaje de prueba enviado por { $a } a { $b } (ID del proveedor { $id })
h-no_channels = No hay canales.
e-channel_not_found = Canal no encontrado
e-channel_template_shape = una plantilla es TIPO=NOMBRE:IDIOMA[:CAMPO,…], no '{ $a }'
e-channel_template_kind = el tipo de plantilla '{ $a }' no es uno de { $b }
e-channel_template_placeholder = el campo de plantilla '{ $a }' no es uno de { $b }
e-channel_template_twice = dos plantillas para { $a }
e-channel_name = el nombre de un canal tiene de 1 a { $n } caracteres, sin caracteres de control
e-channel_api_url = la URL de la API debe ser http:// o https://, con un host, sin contraseña ni consulta
e-channel_phone_number_id = el ID del número de teléfono son dígitos (lo muestra el panel de la app de Meta)
e-channel_account_sid = el SID de la cuenta son letras y dígitos (AC…)
e-channel_sms_from = el número que envía es + y de 8 a 15 dígitos
e-channel_address = '{ $a }' no es una dirección de correo
e-channel_smtp_url = la URL SMTP es smtp://USUARIO@HOST:PUERTO (STARTTLS) o smtps://USUARIO@HOST:PUERTO (TLS), sin contraseña
e-channel_settings_damaged = los ajustes del canal no son lo que appt escribe
e-channel_secrets_unreadable = { $n ->
    [one] los secretos de { $n } canal no se abren con la llave de la base de datos
   *[other] los secretos de { $n } canales no se abren con la llave de la base de datos
}
e-channel_no_secret = el token o la contraseña del canal está vacío
e-channel_order_empty = nombre los canales en su orden: N1,N2,…
e-channel_order_twice = { $a } está nombrado dos veces
e-channel_test_temporary = { $a } no pudo enviar ahora (temporal: { $why }); inténtelo más tarde
e-channel_test_permanent = el proveedor rechazó el mensaje por { $a } (código { $code }: { $why })
e-channel_flag_required = falta { $a }
e-channel_secret_missing = indique --{ $a } ARCHIVO (o - para la entrada estándar), o defina { $b }; un secreto nunca se lee de la línea de comandos
e-channel_one_stdin = solo un secreto puede venir de la entrada estándar (-)
e-hook_signature_does_not_match = La solicitud no está firmada por ninguno de los canales de las clínicas
e-reply_text = Una respuesta tiene de 1 a { $max } caracteres de texto
e-reply_by_email = Un mensaje que llegó por correo se responde desde el correo de la clínica, no desde appt
e-reply_whatsapp_window = WhatsApp solo acepta texto libre dentro de las 24 horas del último mensaje del paciente: llame al paciente
e-reply_not_sent = { $a } no aceptó la respuesta: { $why }
e-inbox_id_too_short = Indique al menos 4 caracteres del ID del mensaje
e-inbox_id_ambiguous = Más de un mensaje tiene un ID que empieza por { $a }; indique más caracteres
h-inbox_message = Mensaje { $id }, { $when }, de { $who } por { $channel }
    Próxima cita: { $next }
h-inbox_answer_failed = La respuesta de appt no se pudo enviar: { $why }
h-inbox_empty = No hay nada en la bandeja.
h-inbox_answer_not_sent = { $a } ({ $b }; no se pudo enviar la respuesta)
p-reply = Respuesta
c-inbox_replied = Respondido { $a } a { $to }; el mensaje queda atendido
c-inbox_done = Mensaje { $a } marcado como atendido.
e-concurrency_between = --concurrency debe estar entre 1 y { $n }
h-history_messages = Mensajes

## La página de citas (docs/booking.md).
e-web_too_many = Demasiados intentos desde este teléfono o este lugar: intente de nuevo en { $n } segundos
e-web_pick_service = Elija uno de los servicios de la página
e-web_pick_doctor = Elija uno de los médicos de la página
e-web_pick_time = Elija una de las horas de la página
e-web_pick_day = Elija uno de los días de la página
e-web_pick_channel = Elija WhatsApp, SMS, correo o ninguno
e-web_too_soon = Esa hora es demasiado pronto para reservarla en la página: llame a la clínica
e-web_too_far = Esa hora está demasiado lejos para reservarla en la página
w-code = { $clinic }: su código para reservar es { $code }. Vence en { $minutes } minutos.
w-code_wait = { $clinic }: su código para la lista de espera es { $code }. Vence en { $minutes } minutos.
bk-this_language = Español
bk-title_services = Reserve una cita
bk-title_doctors = ¿Con quién desea su cita?
bk-title_days = ¿Qué día?
bk-title_times = ¿A qué hora?
bk-title_code = Escriba el código que le enviamos
bk-title_booked = Su cita está reservada
bk-title_waiting = Quedó en la lista de espera
bk-pick_service = ¿Para qué es la consulta?
bk-pick_doctor = Médico
bk-anyone = El primero que esté libre
bk-pick_day = Los próximos 14 días
bk-full = completo: anótese en su lista de espera
bk-no_hours = sin atención
bk-wait_intro = No hay horas libres ese día. Anótese en su lista de espera: si se libera una hora, se la enviaremos a su teléfono.
bk-wait_for = Esperar a
bk-join_waitlist = Envíenme el código para anotarme
bk-join = Anotarme
bk-pick_time = Horas libres
bk-you = Sus datos
bk-name = Nombre completo
bk-phone = Teléfono celular
bk-email = Correo (opcional)
bk-channel = ¿Por dónde le recordamos?
bk-channel_any = Como lo hace la clínica
bk-by_email = Correo
bk-code_will_go = Le enviaremos un código de 6 dígitos a su teléfono. La hora queda apartada para usted mientras lo escribe.
bk-send_code = Enviarme el código
bk-no_times = No hay horas libres ese día.
bk-other_day = Elegir otro día
bk-code = Código (6 dígitos)
bk-book = Reservar
bk-your_link = Confirme, cancele o cambie su cita
bk-next = Siguiente
bk-nothing_online = Esta clínica no recibe citas en línea por ahora. Por favor llame.
bk-start_over = Empezar de nuevo
bk-service = Servicio
bk-doctor = Médico
bk-day = Día
bk-when = Cuándo
bk-code_sent = Le enviamos un código a su teléfono. Vale por 10 minutos.
bk-code_wrong = Ese código no es correcto. Revise el mensaje e intente de nuevo.
bk-hold_over = La hora ya no está apartada para usted (el código venció o se escribió mal demasiadas veces). Por favor elija una hora de nuevo.
bk-booked = ¡Listo! Le enviaremos una confirmación. Guarde el enlace de esta página para confirmar, cancelar o cambiar la cita.
bk-waiting = ¡Listo! Si se libera una hora ese día, se la enviaremos a su teléfono: resérvela desde ahí.
bk-time_taken = Alguien tomó esa hora hace un momento. Estas son las siguientes libres.
bk-too_many = Demasiados intentos desde este teléfono o lugar. Espere un rato e intente de nuevo, o llame a la clínica.
bk-refused = No se pudo reservar. Elija otra hora o llame a la clínica.
bk-check_details = Revise su nombre y su teléfono.
# Los ajustes de la página de reservas en línea (docs/commands.md#appt-clinic-addlistshowupdate).
col-Online = En línea
clinic-online_booking = Reservas en línea
clinic-slug = Página de reservas
clinic-web_horizon = Reservas web hasta
clinic-web_notice = Aviso web
clinic-web_hold = Reserva web retenida
clinic-recalls = Envío de controles
e-slug_must_be = La dirección corta (slug) lleva de 1 a { $max } caracteres entre a-z, 0-9 y -, sin empezar ni terminar con - (se recibió '{ $raw }'), o none
e-slug_taken = La clínica { $clinic } ya tiene la dirección de página de reservas { $slug }: indique otra con --slug
e-web_hold_between = web_hold debe ser de { $lo }m a { $hi }m (se recibió { $m }m)

## appt report (docs/reports.md)
e-month_must_be = Un mes se escribe 2026-11, 11/2026, con su nombre (junio), pasado o este (no '{ $s }')
e-month_or_from_to = Indique un mes, o desde y hasta, no ambos
e-report_from_after_to = la primera fecha del periodo (--from) es posterior a la última (--to)
e-report_too_long = un informe abarca como mucho { $a } días
source-manual = en recepción
source-phone = por teléfono
source-whatsapp = WhatsApp
source-web = página de citas
source-walk_in = sin cita
source-import = importada
source-api = API
rp-no_cancel_window = Cancelaciones tardías: no se cuentan, porque la clínica no tiene plazo de cancelación (appt clinic update --cancel-window 24h lo fija).
rp-title = { $clinic }: del { $from } al { $to }
rp-nothing = Ninguna cita ni horario abierto en este periodo.
rp-utilisation = Ocupación: { $a } minutos reservados de { $b } abiertos ({ $c })
rp-rooms = Salas y equipos (minutos ocupados de los minutos disponibles, cada lugar contado):
rp-room =   { $name }: { $c } ({ $a } de { $b } min)
rp-rates = Quiénes no vinieron y quiénes cancelaron tarde (de las visitas debidas)
rp-overall = Todas
lead-same_day = Reservadas el mismo día
lead-within_week = Reservadas 1–7 días antes
lead-later = Reservadas 8 días antes o más
rp-lead_time = Antelación: { $n } visitas, mediana { $a } días, p90 { $b } días
rp-busiest = Cuándo se reservan más citas
rp-spark = Barra: el periodo; marcas: { $n ->
    [one] una por día
   *[other] una cada { $n } días
}, del { $from } al { $to } (· nada abierto)
rp-legend = Reservas: { $shades } (máximo { $most })
rp-top = Más movimiento: { $list }
rp-sources = De dónde vinieron las reservas
rp-messages = Recordatorios: { $a } enviados, { $b } entregados, { $c } fallidos; { $d } visitas confirmadas después de uno
rp-waitlist = Lista de espera: { $a } horas liberadas ofrecidas, { $b } ocupadas
rp-recalls = Controles del periodo: { $a }, { $b } enviados, { $c } reservados

## Las cifras frente a las del periodo anterior (docs/reports.md#beside-the-previous-period)
rp-compared = Frente al periodo anterior, del { $from } al { $to }
rp-points = { $n } p. p.
rp-x_bookings = Reservas
rp-x_utilisation = Horario reservado
rp-x_no_show = No vinieron
rp-x_late = Cancelaron tarde
rp-x_lead = Días de antelación (mediana)
rp-x_sent = Recordatorios enviados
rp-x_filled = Horas liberadas ocupadas
rp-x_recalled = Controles reservados
col-Figure = Cifra
col-This_period = Este periodo
col-Before = Antes
col-Change = Cambio

## appt report --html y GET /reports (docs/reports.md#the-page)
rp-timezone = Fechas y horas de la clínica
rp-no_patient = Ningún paciente aparece en este informe.
rp-show_table = Ver los números
rp-one_service = un servicio
rp-h_utilisation = Cuánto del horario de cada médico se reservó
rp-h_rooms = Cuánto del tiempo de cada sala y equipo se ocupó
rp-days = Cuánto del horario de cada médico se reservó, día por día
rp-h_no_show = Cuántos no vinieron
rp-h_late = Cuántos cancelaron tarde
rp-rate_overall = En total: { $a } de { $b } visitas debidas ({ $c })
rp-chart = { $a }, { $b }
rp-by_weekday = por día de la semana
rp-by_lead_time = por antelación de la reserva
rp-by_doctor = por médico
rp-by_hour = por hora
rp-c_room = Sala o equipo
rp-c_doctor = Médico
rp-c_date = Fecha
rp-c_booked = Minutos reservados
rp-c_open = Minutos abiertos
rp-c_use = Ocupación
rp-c_count = Cantidad
rp-c_due = Debidas
rp-c_rate = Tasa
rp-c_weekday = Día
rp-c_lead = Antelación
rp-c_hour = Hora
rp-c_bookings = Reservas
rp-c_source = Origen
rp-h_lead_time = Con cuánta antelación se reservó
rp-lt_count = Visitas no canceladas
rp-lt_median = Mediana, en días
rp-lt_p90 = Percentil 90, en días
rp-h_messages = Qué pasó con los recordatorios
rp-m_sent = Enviados
rp-m_delivered = Entregados
rp-m_failed = Fallidos
rp-m_confirmed = Visitas confirmadas después de un recordatorio
rp-h_recalls = Quiénes debían volver en el periodo
rp-r_due = Debidos
rp-r_sent = Con su mensaje enviado
rp-r_booked = Reservados de nuevo
rp-h_waitlist = Qué llenó la lista de espera
rp-w_made = Horas liberadas ofrecidas
rp-w_filled = Ofertas ocupadas
col-Booked = Reservado
col-Open = Abierto
col-Use = Uso
col-Group = Grupo
col-Late = Tardías
col-Day = Día
col-Hour = Hora
col-Bookings = Reservas
col-Source = Origen
col-Done = Atendidas
col-Cancelled = Canceladas

## Calendarios (docs/feeds.md)
e-feed_not_found = Calendario no encontrado
e-feed_name_must_be = el nombre de un calendario debe tener de 1 a { $n } letras (a-z, sin acentos), dígitos, '.', '_' o '-', y empezar por una letra o un dígito: es la ruta de su dirección CalDAV
e-feed_days_must_be = { $flag } debe ser un número entero de días de { $lo } a { $hi }
e-feed_needs_public_url = { $clinic } no tiene URL pública, con la que empieza la dirección de un calendario: fíjela con appt clinic update --public-url https://…
e-feed_named_exists = ya existe un calendario llamado '{ $name }': revóquelo primero (appt feed revoke { $name }) o elija otro nombre
e-feed_was_not_saved = { $a }; el calendario no se guardó: la dirección que se mostró no funciona
e-no_active_feed_has_the_name_or_prefix = ningún calendario activo tiene el nombre o el prefijo '{ $name }'
e-several_feeds_have_the_prefix = varios calendarios activos tienen el prefijo '{ $prefix }': { $names }
e-feed_list_shows_the_feeds = `appt feed list` muestra los calendarios
e-feed_password_is_its_token = la contraseña de este calendario es el token de su enlace (cualquier usuario)
e-feed_is_read_only = este calendario es de solo lectura: cambie las citas en appt
e-feed_body_must_be_xml = el cuerpo de una petición CalDAV debe ser XML (application/xml o text/xml)
e-feed_body_is_not_dav = el cuerpo no es un PROPFIND, un calendar-query ni un calendar-multiget que appt lea: { $a }
col-Days = Días
h-feed_whole_clinic = toda { $clinic }
h-feed_show_none = sin paciente
h-feed_show_initials = iniciales
h-feed_show_names = nombres
h-feed_added = Calendario { $name } agregado: las citas de { $whose }, { $back } días atrás y { $ahead } adelante
h-feed_shows = { $shows ->
    [none] Las citas no nombran al paciente
    [names] Las citas nombran al paciente
   *[initials] Las citas nombran al paciente por sus iniciales
}; nunca un motivo, una nota, un teléfono ni un documento.
h-feed_shown_once = Su dirección se muestra esta única vez (appt guarda solo el hash de su token): suscríbase a ella, o guárdela en secreto.
h-feed_qr = Apunte la cámara del teléfono al código para abrir la dirección del calendario.
h-feed_caldav = Como cuenta CalDAV: { $url } (cualquier usuario; la contraseña es el token que sigue a /cal/)
h-no_feeds = No hay calendarios.
c-feed_revoke_q = ¿Revocar el calendario { $name }? Su dirección y su cuenta CalDAV dejan de funcionar
c-feed_revoked = Calendario { $name } revocado ({ $prefix }): desaparece desde la próxima solicitud
e-service_in_use = { $name } sigue en uso: { $a ->
        [0] ningún médico lo atiende
        [one] un médico lo atiende
       *[other] { $a } médicos lo atienden
    } y { $b ->
        [0] ninguna cita por venir lo lleva
        [one] una cita por venir lo lleva
       *[other] { $b } citas por venir lo llevan
    }{ $c ->
        [0] {""}
        [one] {" y un horario lo atiende"}
       *[other] {" y "}{ $c }{" horarios lo atienden"}
    }
e-service_in_use_hint = quíteselo a esos médicos (`appt doctor update D --services …`) y horarios, y mueva o cancele esas citas antes
e-no_service_named = No hay ningún servicio llamado { $input }
e-see_service_list = `appt service list` muestra los servicios
e-window_offers_nothing = { $a } no atiende ninguno de los servicios de este horario: no se puede reservar nada en él
e-window_offers_nothing_hint = dé al horario servicios que el médico atienda (`--services`), o al médico los del horario (`appt doctor update D --services …`)
col-Services = Servicios
word-all_services = todos
word-all_clinics = todas
word-no_service = ninguno
e-window_offers_no_service = El médico no atiende ninguno de los servicios de este horario
e-check_window_offers_nothing = { $a } no atiende ninguno de los servicios del horario { $window }: no se puede reservar nada en él
c-patient_erase_coming = { $n ->
        [one] Su cita por venir se cancela con el borrado:
       *[other] Sus { $n } citas por venir se cancelan con el borrado:
    }
c-patient_erase_cancelled = { $n ->
        [one] Su cita por venir quedó cancelada.
       *[other] Sus { $n } citas por venir quedaron canceladas.
    }
bk-elsewhere = Este formulario no se envió desde esta página, o estuvo abierto demasiado tiempo. Empiece de nuevo aquí.
e-web_codes_per_hour_between = Los códigos por hora deben estar entre 1 y { $max }, no { $n }
e-web_phone_elsewhere = La página envía su código solo a teléfonos de { $codes }: llame a la clínica para reservar
e-web_codes_spent = La página ya envió todos los códigos que puede esta hora: llame a la clínica
e-web_codes_spent_call = La página ya envió todos los códigos que puede esta hora: llame a la clínica al { $phone }
bk-codes_spent = La página no puede enviar más códigos esta hora. Llame a la clínica para reservar{ $phone ->
        [none] .
       *[other] : { $phone }.
    }
bk-other_country = La página envía su código solo a teléfonos del país de la clínica. Llame a la clínica para reservar{ $phone ->
        [none] .
       *[other] : { $phone }.
    }
clinic-web_countries = Países web
clinic-web_codes = Códigos web/hora
clinic-session_hours = Las sesiones duran
px-title = Lo que guardamos de { $a }
px-about = Entregado por { $clinic } el { $date }. Las horas están en { $zone }. Esto es todo lo que appt, el sistema de citas de la clínica, guarda sobre usted.
px-nothing = Nada.
px-h_patient = Su ficha
px-h_appointments = Citas
px-h_history = Qué pasó con cada cita
px-h_messages = Mensajes que le enviamos o le enviaremos
px-h_inbox = Mensajes que usted nos envió
px-h_holds = Horas reservadas para usted en la página de citas
px-h_waitlist = Listas de espera
px-h_recalls = Avisos para volver
px-h_links = Enlaces que le enviamos
px-h_events = Copias anteriores de esta ficha
px-name = Nombre
px-phone = Teléfono
px-email = Correo
px-channel = Canal preferido
px-national_id = Documento de identidad
px-no_shows = Citas perdidas
px-since = Desde
px-when = Cuándo
px-clinic = Clínica
px-doctor = Médico
px-service = Servicio
px-status = Estado
px-reason = Motivo
px-diagnosis = Diagnóstico
px-prescription = Receta
px-follow_up = Control
px-appointment = Cita
px-what = Qué
px-by = Por
px-due = Para
px-kind = Tipo
px-sent = Enviado
px-text = Texto
px-received = Recibido
px-until = Reservada hasta
px-day_wanted = Día deseado
px-made = Creado

## Outside calendars (docs/calendars.md)
e-calendar_busy = El médico está ocupado a esa hora en su propio calendario
e-calendar_busy_hint = Elija otra hora; en recepción, --force la reserva igual
d-calendar_busy = ocupado (su calendario)
cal-refused = el servidor rechazó el usuario o la contraseña (HTTP { $code })
cal-timed_out = sin respuesta en { $s } segundos
cal-transport = sin conexión: { $why }
cal-too_large = la respuesta pasa de { $mb } MB
cal-redirect = redirigido demasiadas veces, o a otro esquema
cal-not_calendar = la respuesta no es un calendario
cal-scheme = la dirección debe empezar por https:// o webcal:// (http:// solo a esta máquina)
e-calendar_name_must_be = el nombre de un calendario propio debe tener de 1 a { $n } letras (a-z, sin acentos), dígitos, '.', '_' o '-', y empezar por una letra o un dígito
e-calendar_not_found = Calendario no encontrado
e-calendar_named_exists = Ya existe un calendario llamado { $name }
e-calendar_unreadable = No se pudo leer el calendario { $name }: { $why }. No se guardó nada
e-calendar_sync_failed = No se pudo leer { $a }: conservan sus últimas horas ocupadas (vea appt calendar list)
h-calendar_caldav_write = CalDAV, escribe citas
e-calendar_write_needs_caldav = --write necesita un calendario CalDAV; esta dirección es un archivo ICS, que appt solo lee
h-calendar_stale = desactualizado desde { $at }: { $why }
h-calendar_stale_word = desactualizado
h-calendar_ok = al día
h-calendar_never = sin leer aún
h-no_calendars = No hay calendarios. Conecte uno con: appt calendar add NOMBRE --doctor D --url URL
h-calendar_card = Calendario:     { $name }
    Médico:         { $doctor }
    Tipo:           { $kind }
    Servidor:       { $host }
    Horas ocupadas: { $busy }
    Leído:          { $synced }
    Estado:         { $state }
c-calendar_added = Calendario { $name } ({ $kind }) agregado para { $doctor }: { $busy ->
        [one] 1 hora ocupada leída
       *[other] { $busy } horas ocupadas leídas
    }. Sus horarios en todas las clínicas ya las saltan.
c-calendar_removed = Calendario { $name } de { $doctor } eliminado, con sus horas ocupadas
c-calendar_remove_q = ¿Eliminar el calendario { $name } de { $doctor }? Sus horas ocupadas dejan de bloquear sus horarios.
c-calendar_read = { $name }: { $busy ->
        [one] 1 hora ocupada
       *[other] { $busy } horas ocupadas
    }
c-calendar_unchanged = { $name }: sin cambios
c-calendar_busy_elsewhere = { $name }: otro proceso lo está leyendo, se omite
c-calendar_failed = { $name }: falló, conserva sus últimas horas ocupadas ({ $why })
col-Host = Servidor
col-Busy = Ocupadas
col-Synced = Leído
e-calendar_secrets_unreadable = { $n ->
    [one] la dirección y contraseña de { $n } calendario no se abren con la llave de la base de datos
   *[other] las direcciones y contraseñas de { $n } calendarios no se abren con la llave de la base de datos
}
h-check_stale_calendar = Calendario { $name } de { $doctor }: { $state }. Sus últimas horas ocupadas siguen bloqueando; vea appt calendar list
h-setup_aspect_database = base de datos
h-setup_aspect_key = clave de documentos
h-setup_aspect_public_url = URL pública
h-setup_aspect_channel = canal
h-setup_aspect_reminders = recordatorios
h-setup_aspect_backup = copias de seguridad
h-setup_aspect_disk = disco
h-setup_all_hold = Todo en orden.
h-setup_failing = { $n ->
        [one] 1 comprobación falla.
       *[other] { $n } comprobaciones fallan.
    }
h-setup_database_ok = { $at } abre, en el esquema { $v }
h-setup_fix_database = vea docs/operations.md#the-database; `appt init` crea una base de datos nueva
h-setup_key_ok = { $key } abre lo cifrado
h-setup_key_none_needed = aún no hay, y nada está cifrado: no hace falta
h-setup_fix_key = restaure el archivo de la clave junto a la base de datos (modo 0600, del usuario del servicio), o defina APPT_KEY
h-setup_url_ok = { $url } responde
h-setup_url_status = { $url } responde HTTP { $status }
h-setup_url_unreachable = { $url } no responde: { $why }
h-setup_fix_url = ¿está en marcha appt serve (systemctl status appt-serve) y el proxy le pasa las peticiones?
h-setup_channel_ok = el proveedor acepta sus credenciales
h-setup_channel_refused = el proveedor rechazó: { $why }
h-setup_fix_channel = revise la cuenta y las credenciales del canal (appt channel test { $name } --to SU-TELÉFONO), o agréguelo de nuevo
h-setup_swept_ok = el último barrido empezó { $at }
h-setup_swept_long_ago = el último barrido empezó { $at }, hace { $minutes } minutos
h-setup_never_swept = nunca se ha hecho un barrido
h-setup_fix_sweeps = active el temporizador (systemctl enable --now appt-remind.timer) o la línea de cron de docs/operations.md#cron
h-setup_backup_ok = copia más reciente { $at }
h-setup_backup_old = copia más reciente { $at }, hace { $hours } horas
h-setup_backup_none = no hay ninguna copia ahí
h-setup_backup_no_folder = no se puede leer la carpeta: { $e }
h-setup_fix_backup = active el temporizador de copias (systemctl enable --now appt-backup.timer), o indique con --backup-dir dónde están las suyas
h-setup_disk_ok = { $mib } MiB libres
h-setup_disk_low = solo { $mib } MiB libres
h-setup_fix_disk = libere espacio ahí: un disco lleno detiene toda reserva
e-setup_findings = la instalación no está en orden: { $n ->
        [one] 1 comprobación falla
       *[other] { $n } comprobaciones fallan
    }

# Personal (docs/security.md#staff)
col-Role = Rol
role-reception = recepción
role-doctor = médico
role-manager = gerente
h-no_staff = No hay personal: appt registra el usuario del equipo como quien actúa. Agregue al primer miembro, un gerente, con appt staff add NOMBRE --role gerente.
c-staff_added = Se agregó a { $a } al personal ({ $b })
c-staff_updated = Se actualizó a { $a } ({ $b })
c-staff_remove_q = ¿Quitar a { $a } del personal?
c-staff_removed = Se quitó a { $a } del personal
c-staff_pin_set = PIN de { $a } cambiado
p-pin = PIN (de 4 a 8 dígitos)
p-pin_again = El mismo PIN otra vez
p-pins_differ = Los dos PIN no coinciden: escríbalo otra vez
e-a_pin_is_to_digits = Un PIN tiene de { $lo } a { $hi } dígitos (0-9), nada más
e-a_pin_is_asked_at_a_terminal = El PIN se pide en una terminal: ejecútelo ahí, o páselo en un archivo con --pin-file ARCHIVO (- para la entrada estándar)
e-a_member_of_staff_with_the_role_doctor = Un miembro del personal con el rol médico es uno de los médicos: indique --doctor
e-staff_needs_a_manager = El personal necesita un gerente, para que alguien administre al resto: el primer miembro agregado es gerente, y el último gerente sigue siéndolo
e-the_pin_could_not_be_hashed = No se pudo calcular el hash del PIN: { $e }
e-staff_member_not_found = Miembro del personal no encontrado
e-unknown_role = '{ $s }' no es un rol: use recepción, médico o gerente
p-pin_to_sign_in = PIN
p-staff_name = Su nombre
c-signed_in = Sesión iniciada como { $a } ({ $b }) en esta terminal hasta { $c }
c-signed_out = Sesión cerrada en esta terminal
c-you_are = { $a } ({ $b })
c-no_staff_you_are = Esta base de datos no tiene personal: los comandos se ejecutan como { $a }
e-sign_in_required = Nadie ha iniciado sesión en esta terminal
h-sign_in_required = inicie sesión con appt login NOMBRE (un script: APPT_STAFF=NOMBRE y APPT_STAFF_PIN_FILE=ARCHIVO)
e-wrong_pin = PIN incorrecto para { $name }: { $left ->
        [0] el nombre queda bloqueado 15 minutos
        [one] queda 1 intento antes de bloquear el nombre 15 minutos
       *[other] quedan { $left } intentos antes de bloquear el nombre 15 minutos
    }
e-name_locked = { $name } está bloqueado tras cinco PIN incorrectos, hasta { $until }
e-a_session_lasts_1_to_hours = Una sesión dura de 1 a { $hi } horas (8h, 12)
e-login_is_at_a_terminal = Una sesión pertenece a una terminal: inicie sesión en una (un script indica su persona con APPT_STAFF y APPT_STAFF_PIN_FILE)
e-appt_staff_needs_a_pin_file = APPT_STAFF indica una persona: dé su PIN en un archivo con APPT_STAFF_PIN_FILE
e-as_takes_system_only = --as solo admite system
e-no_member_named = Ningún miembro del personal tiene ese nombre
e-as_system_only_for_the_sweeps = --as system es solo para remind due, webhook deliver, calendar sync, purge y backup
e-cannot_write_the_session_file = No se puede escribir el archivo de sesión { $path }: { $e }
e-role_needed = { $role ->
    [doctor] Solo un médico (o un gerente) puede hacer esto
   *[manager] Solo un gerente puede hacer esto
  }: inicie sesión como uno, o pídaselo a uno
e-clinical_of_own_patients = Un médico lee y escribe los campos clínicos de las visitas de sus propios pacientes solamente
e-scope_beyond_role = { $scope } excede el rol del miembro para quien es ({ $role ->
    [reception] recepción
    [doctor] médico
   *[manager] gerente
  })
h-no_looks = Nadie ha consultado todavía un expediente clínico.
col-Command = Comando
col-Account = Cuenta
b-locked = Bloqueado: no se muestra nada del día hasta que se escriba un PIN
b-locked_pin = PIN de { $name }
b-locked_name = ¿Quién está en el tablero? Su nombre
b-locked_keys = Enter entrar · Tab otra persona · Esc borrar · Ctrl-C salir
b-signed_in = { $name } está en el tablero
p-who_is_there = ¿Quién está en el tablero? Su nombre
