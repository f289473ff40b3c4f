/* Unit tests: common/lang.c on real sentences */
#include <stdlib.h>
#include "lang.h"
#include "tap.h"

static void t(const char *text, const char *want)
{
	is_str(lang_detect(text, strlen(text)), want, "%s: %.40s", want ? want : "none", text);
}

int main(void)
{
	t("Hello, my order has not arrived yet and the tracking page shows nothing. Could you check?", "en");
	t("Olá, o meu pedido ainda não chegou e a página de rastreio não mostra nada. Podem verificar?", "pt");
	t("Hola, mi pedido todavía no ha llegado y la página de seguimiento no muestra nada. ¿Pueden revisarlo?", "es");
	t("Bonjour, ma commande n'est toujours pas arrivée et le suivi n'affiche rien. Pouvez-vous vérifier ?", "fr");
	t("Hallo, meine Bestellung ist immer noch nicht angekommen und die Sendungsverfolgung zeigt nichts an.", "de");
	t("Здравствуйте, мой заказ до сих пор не пришёл, а на странице отслеживания ничего нет. Проверьте, пожалуйста.", "ru");
	t("سلام، سفارش من هنوز نرسیده است و صفحه پیگیری چیزی نشان نمی‌دهد. لطفا بررسی کنید.", "fa");
	t("مرحبا، لم يصل طلبي حتى الآن وصفحة التتبع لا تظهر أي شيء. هل يمكنكم التحقق من ذلك؟", "ar");
	t("你好，我的订单到现在还没有到，物流页面也没有任何信息。请帮我查一下。", "zh");
	/* quotes and signatures do not count */
	t("Obrigado, recebi o livro hoje de manhã e está tudo certo com a encomenda.\n\n"
	  "> Hello, we shipped your order yesterday and it should arrive soon, thanks\n"
	  "> for your patience and for shopping with us at Lumen Books.\n-- \nSent from my phone, please excuse the typos\n", "pt");
	/* a short English mail with a ticket token, and German quoted under an
	 * attribution line and after Outlook's separator: English */
	t("[#7F3K9Q2A] Thanks, the new invoice arrived and everything is fine now.\n\n"
	  "Am 02.11.26 um 11:00 schrieb Lumen Books Support:\n"
	  "> Sehr geehrte Frau Schmidt, anbei die korrigierte Rechnung.\n", "en");
	t("Thanks, the refund arrived this morning, all good.\n\n"
	  "-----Urspr\xc3\xbcngliche Nachricht-----\nVon: Support\nGesendet: Montag\n"
	  "Sehr geehrte Damen und Herren, wir haben Ihre Erstattung heute veranlasst und "
	  "bitten um etwas Geduld.\n", "en");
	t("Buongiorno, la fattura del mese scorso non è ancora arrivata, potete controllare?", "it");
	t("Merhaba, siparişim hâlâ gelmedi ve takip sayfasında hiçbir bilgi görünmüyor.", "tr");
	t("Добрий день, моє замовлення досі не надійшло, а на сторінці відстеження нічого немає.", "uk");
	t("Goedendag, mijn bestelling is nog steeds niet aangekomen en de trackingpagina toont niets.", "nl");
	t("Dzień dobry, moje zamówienie jeszcze nie dotarło, a strona śledzenia nic nie pokazuje.", "pl");
	/* Han without kana is Chinese, in either script or both (CLD2
	 * alone says nothing here); with kana it is Japanese: none */
	t("\xe5\xb0\xbd\xe9\x87\x8f\xe5\x87\x8f\xe5\xb0\x91\xe6\x8f\x90\xe7\xa4\xba\xe4\xbf\xa1\xe6\x81\xaf. "
	  "\xe6\x97\xa0\xe6\xb3\x95\xe5\x88\xa0\xe9\x99\xa4\xe8\xa7\x86\xe5\x9b\xbe. "
	  "\xe6\x96\xb0\xe6\xaa\x94\xe6\xa1\x88\xe4\xbe\x9d\xe8\xb3\xb4\xe8\x88\x8a\xe5\x85\xa7\xe5\xae\xb9.", "zh");
	t("こんにちは、注文した商品がまだ届いていません。配送状況を確認していただけますか。", NULL);
	/* a few Han characters and an identifier (a line of GLib's Chinese
	 * catalogue): Chinese, the identifier left out */
	t("\xe6\x97\xa0\xe6\xb3\x95\xe6\x88\xaa\xe6\x96\xad GMemoryInputStream.", "zh");
	/* a short Spanish text CLD2 takes for Galician: Spanish */
	t("galería de símbolos Office Open XML de Visio. Desnudez artística breve.", "es");
	/* short texts CLD2 alone leaves undecided (a line of GTK's Dutch
	 * catalogue, a line of PostgreSQL's Spanish one): its best guess */
	t("Een pictogram met naam voor een logo in het info-venster.", "nl");
	t("Of dit label de verhoging be\xc3\xafnvloedt. ondersteuning van arrayvariabelen is vereist.", "nl");
	/* the English words of a technical mail that are not prose (paths,
	 * URLs, identifiers, words in capitals) do not count */
	t("El fichero /var/log/app/error_log.txt crece sin parar.", "es");
	t("Desde ayer el backup_manager da error en https://example.com/api/v2/status y no s\xc3\xa9 por qu\xc3\xa9.", "es");
	t("El COPY FROM falla con ERROR en el servidor.", "es");
	t("El comando git push origin main devuelve REMOTE REJECTED otra vez.", "es");
	/* ... unless the whole mail is in capitals */
	t("NO FUNCIONA EL SISTEMA DESDE AYER, NECESITO AYUDA URGENTE POR FAVOR.", "es");
	/* short support texts CLD2 alone calls English (or Catalan): their
	 * frequent words tell */
	t("La impresora de la oficina no imprime los documentos de la red interna.", "es");
	t("Fallo del disco en el servidor de la oficina central.", "es");
	t("El update del firmware del router fall\xc3\xb3 a medias.", "es");
	t("Falha de login no portal web com a password nova.", "pt");
	t("Il client non sincronizza le mail con il server IMAP dal weekend.", "it");
	t("Error interno de GnuTLS. Define el tama\xc3\xb1o de WAL que desencadena un checkpoint.", "es");
	/* ... and English with foreign names, or one-letter words and file
	 * names that are frequent words elsewhere ("I", "o"), stays English */
	t("Please send the new invoice to our office in Madrid, attention Se\xc3\xb1ora Ana de la Fuente.", "en");
	t("Good catch. I'll do a rebuild of notmuch.o and notmuch-config.o, then I do a respin.", "en");
	/* the sender's top-level domain tips a text CLD2 finds English and
	 * with too few frequent words (a line of git's Spanish catalogue);
	 * an English text stays English; a domain that is not a plain label
	 * gives no hint */
	const char *es = "bucle de alias detectado: expansi\xc3\xb3n de ' ' no termina:.";
	const char *en = "Thanks, the new invoice arrived and everything is fine now.";
	is_str(lang_detect_hinted(es, strlen(es), NULL), "en", "no hint: en");
	is_str(lang_detect_hinted(es, strlen(es), "lucia@correo.es"), "es", "from .es: es");
	is_str(lang_detect_hinted(es, strlen(es), "lucia@correo.com.ES"), "es", "from .com.ES: es");
	is_str(lang_detect_hinted(es, strlen(es), "lucia@correo.es>x"), "en", "not a label: no hint");
	is_str(lang_detect_hinted(en, strlen(en), "anna@firma.de"), "en", "English from .de: en");
	t("ok", NULL);
	t("", NULL);
	t("1234 5678 !!!! ???? ---- ++++", NULL);
	t("\xff\xfe\x00 broken \xc3", NULL);
	lang_done();
	return done_testing();
}
