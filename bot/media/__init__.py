"""Files of a returnee's conversation passed from one platform to another: what each platform takes
(`formats`), where a file waits between the outbox's tries (`store`), and the step a sender calls to have it
ready (`files`). The platform parts (download, upload) live in `bot.channels.telegram_media` and
`bot.channels.whatsapp_media`."""
