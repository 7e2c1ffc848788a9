-- Issue 22: a tenant language (ADR-017). tenants.conversation gains "language" (pt, es or en; a missing key is en), and
-- the default handoff and away messages and the no-model reply follow it. The tenants made before keep exactly the
-- texts they send today: the old defaults (one sentence in three languages) become their explicit settings, and with
-- no "language" key they stay en, whose no-model reply is the old one. A tenant that wrote its own text keeps it.
UPDATE tenants
SET conversation = conversation || jsonb_build_object('handoff_message',
        '👤 Um momento, vou chamar uma pessoa. / Un momento, te paso con una persona. / One moment, a person will answer you.')
WHERE conversation->>'handoff_message' IS NULL;

UPDATE tenants
SET conversation = conversation || jsonb_build_object('away_message',
        '🕒 Estamos fora do horário de atendimento e responderemos assim que abrirmos. / Estamos fuera de horario y responderemos cuando abramos. / We are closed now and will answer when we open.')
WHERE conversation->>'away_message' IS NULL;
